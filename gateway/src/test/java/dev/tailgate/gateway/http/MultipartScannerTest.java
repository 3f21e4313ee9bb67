package dev.tailgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.gateway.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MultipartScannerTest {
    static final String FILE = "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\nContent-Type: audio/wav\r\n\r\nDATA\r\n";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Feeds {@code body} in pieces of {@code piece} bytes, then finishes. */
    static MultipartScanner scan(String body, int piece) {
        MultipartScanner s = new MultipartScanner("B");
        byte[] b = bytes(body);
        for (int i = 0; i < b.length; i += piece) s.feed(Arrays.copyOfRange(b, i, Math.min(b.length, i + piece)));
        s.finish();
        return s;
    }

    static String refusal(String body) {
        try {
            scan(body, 7);
        } catch (ApiException e) {
            return e.error().status() + " " + e.error().param() + " " + e.error().message();
        }
        throw new AssertionError("accepted: " + body);
    }

    @Test
    void boundaryIsReadFromTheContentTypeQuotedOrNot() {
        assertThat(MultipartScanner.boundary("multipart/form-data; boundary=abc")).isEqualTo("abc");
        assertThat(MultipartScanner.boundary("Multipart/Form-Data; charset=x; boundary=\"a b\"")).isEqualTo("a b");
        assertThat(MultipartScanner.boundary("multipart/form-data")).isNull();
        assertThat(MultipartScanner.boundary("multipart/form-data; boundary=" + "x".repeat(71))).isNull();
        assertThat(MultipartScanner.boundary("application/json")).isNull();
        assertThat(MultipartScanner.boundary(null)).isNull();
    }

    @ParameterizedTest(name = "pieces of {0} bytes")
    @ValueSource(ints = {1, 2, 3, 5, 8, 13, 1000})
    void findsTheModelPartAndReplacesOnlyItsValueWhateverTheChunking(int piece) {
        String body = "--B\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper\r\n" + FILE + "--B--\r\n";
        MultipartScanner s = scan(body, piece);
        assertThat(s.model().value()).isEqualTo("whisper");
        assertThat(new String(s.model().replace(bytes(body), "whisper-large-v3"), StandardCharsets.ISO_8859_1))
                .isEqualTo(body.replace("\r\n\r\nwhisper\r\n", "\r\n\r\nwhisper-large-v3\r\n"));
    }

    @Test
    void fileContentAndOtherHeadersThatLookLikeAModelFieldAreNotIt() {
        String body = "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\n"
                + "Content-Disposition: form-data; name=\"model\"\r\n\r\nevil\r\n"
                + "\r\n--B\r\nContent-Disposition: form-data; name=\"hint\"\r\nX-Hint: name=\"model\"\r\n\r\nx\r\n"
                + "--B\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\ngood\r\n--B--\r\n";
        assertThat(scan(body, 4).model().value()).isEqualTo("good");
    }

    @Test
    void parameterNamesAreCaseInsensitiveAndQuotedValuesMayHoldSemicolons() {
        String body = "--B\r\ncontent-disposition: FORM-DATA; filename=\"a;b.wav\"; NAME=\"file\"\r\n\r\nx\r\n"
                + "--B\r\nContent-Disposition: form-data; name=model\r\n\r\npub\r\n--B--";
        assertThat(scan(body, 3).model().value()).isEqualTo("pub");
    }

    @Test
    void refusals() {
        String model = "--B\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\npub\r\n";
        assertThat(refusal(model + "--B\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nexpensive\r\n--B--\r\n"))
                .startsWith("400 model").contains("more than one 'model'");
        assertThat(refusal("--B\r\nContent-Disposition: form-data; name=\"MODEL\"\r\n\r\npub\r\n" + model + "--B--\r\n"))
                .startsWith("400 model").contains("ambiguous");
        assertThat(refusal("--B\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\np\u001b[31mub\r\n--B--\r\n"))
                .startsWith("400 model").contains("control characters");
        assertThat(refusal("--B\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n" + "m".repeat(300) + "\r\n--B--\r\n"))
                .startsWith("400 model");
        assertThat(refusal("--B\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nx\r\n" + model + "--B--"))
                .contains("more than one Content-Disposition");
        assertThat(refusal("--B\r\nContent-Disposition: form-data; name=\"a\"; name=\"model\"\r\n\r\nx\r\n" + model + "--B--"))
                .contains("repeated");
        assertThat(refusal("--B\r\nX-Hint: name=\"model\"\r\n\r\nx\r\n" + model + "--B--")).contains("no Content-Disposition");
        assertThat(refusal(model)).contains("ended before its closing boundary");
        assertThat(refusal("this is not multipart at all")).startsWith("400");
        assertThat(refusal(FILE + "--B--\r\n")).contains("'model'");
    }
}
