package dev.tailgate.app;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code --home DIR} a printed command needs so that it acts on the home in use: a hint such as "run: tailgate
 * models pull X" typed without it would work on {@code ~/.tailgate} (or {@code $TAILGATE_HOME}) instead. Empty for
 * the default home, so the common case reads as before. The folder is quoted for a POSIX shell when it needs it.
 */
final class HomeFlag {
    /** Characters a POSIX shell takes literally in a word; anything else (space, quote, $, ~, ...) gets quoted. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");
    /**
     * qwen-local's one pull command in a reason it reports: the name is one word (model id or hf:// source), ended by
     * white space, a closing bracket or quote, or a sentence's last dot; a command that already names a home is kept.
     */
    private static final Pattern PULL =
            Pattern.compile("tailgate models pull [^\\s)\"'`;,]+?(?=\\.?(?:[\\s)\"'`;,]|$))(?! --home)");

    private HomeFlag() {}

    /** {@code " --home DIR"} when {@code home} is not {@code ~/.tailgate}, else {@code ""}. */
    static String of(Path home) {
        return of(home, System.getProperty("user.home"));
    }

    static String of(Path home, String userHome) {
        Path normalized = home.toAbsolutePath().normalize();
        boolean isDefault = normalized.equals(Home.defaultHome(userHome));
        return isDefault ? "" : " --home " + shellWord(normalized.toString());
    }

    /** {@code word} as one POSIX shell word: as is when plain, else in single quotes ({@code '} written {@code '\''}). */
    static String shellWord(String word) {
        if (!word.isEmpty() && PLAIN.matcher(word).matches()) return word;
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /**
     * {@code text} (a reason qwen-local reported) with {@code flag} after each pull command it names. qwen-local does
     * not name the home in its answers (they reach API clients, which have no business knowing where it is), so the
     * operator's command that shows them, knowing which home it asked, completes them.
     */
    static String completePullCommands(String text, String flag) {
        if (text == null || flag.isEmpty()) return text;
        return PULL.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group() + flag));
    }
}
