package dev.tailgate.app;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** The version Maven filtered into {@code version.properties}, for {@code tailgate --version}. */
public final class VersionInfo implements CommandLine.IVersionProvider {
    public static String version() {
        try (InputStream in = VersionInfo.class.getResourceAsStream("version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "tailgate " + version(),
            "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "?") + ")"
        };
    }
}
