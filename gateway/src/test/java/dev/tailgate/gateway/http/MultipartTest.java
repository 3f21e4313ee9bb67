package dev.tailgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MultipartTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void boundaryIsReadFromTheContentTypeQuotedOrNot() {
        assertThat(Multipart.boundary("multipart/form-data; boundary=abc")).isEqualTo("abc");
        assertThat(Multipart.boundary("Multipart/Form-Data; charset=x; boundary=\"a b\"")).isEqualTo("a b");
        assertThat(Multipart.boundary("multipart/form-data")).isNull();
        assertThat(Multipart.boundary("application/json")).isNull();
        assertThat(Multipart.boundary(null)).isNull();
    }

    @Test
    void findsTheModelFieldAndReplacesOnlyItsValue() {
        String body = "--B\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper\r\n--B\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nDATA\r\n--B--\r\n";
        byte[] b = bytes(body);
        Multipart.Field f = Multipart.findField(b, b.length, "B", "model");
        assertThat(f.value()).isEqualTo("whisper");
        assertThat(new String(f.replace(b, "whisper-large-v3"), StandardCharsets.ISO_8859_1))
                .isEqualTo(body.replace("\r\n\r\nwhisper\r\n", "\r\n\r\nwhisper-large-v3\r\n"));
    }

    @Test
    void fileContentThatLooksLikeAFieldIsNotMistakenForIt() {
        String body = "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\n"
                + "Content-Disposition: form-data; name=\"model\"\r\n\r\nevil\r\n"
                + "\r\n--B\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\ngood\r\n--B--\r\n";
        byte[] b = bytes(body);
        assertThat(Multipart.findField(b, b.length, "B", "model").value()).isEqualTo("good");
    }

    @Test
    void anIncompletePrefixIsNotYetAnAnswer() {
        String body = "--B\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhis";
        byte[] b = bytes(body);
        assertThat(Multipart.findField(b, b.length, "B", "model")).isNull();
        String noModel = "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nDATA\r\n--B--\r\n";
        assertThat(Multipart.findField(bytes(noModel), noModel.length(), "B", "model")).isNull();
    }
}
