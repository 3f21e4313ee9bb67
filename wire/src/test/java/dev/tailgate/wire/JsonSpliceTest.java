package dev.tailgate.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JsonSpliceTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void replacesOnlyTheTopLevelValueAndKeepsEverythingElseByteForByte() {
        String in = "{ \"id\":\"x\", \"nested\": {\"model\": \"inner\"}, \"model\" :  \"qwen2.5\",\"n\":1.50e0, \"zz\":[1,2]}";
        byte[] out = JsonSplice.replace(utf8(in), "model", "qwen");
        assertThat(str(out)).isEqualTo(
                "{ \"id\":\"x\", \"nested\": {\"model\": \"inner\"}, \"model\" :  \"qwen\",\"n\":1.50e0, \"zz\":[1,2]}");
    }

    @Test
    void escapesTheNewValueAndHandlesEscapedOldValuesAndUnicode() {
        byte[] out = JsonSplice.replace(utf8("{\"a\":\"\u00e9\u4e16\",\"model\":\"we\\\"ird\\u00e9\"}"), "model", "a\"b");
        assertThat(str(out)).isEqualTo("{\"a\":\"\u00e9\u4e16\",\"model\":\"a\\\"b\"}");
        assertThat(Json.parse(out).get("model").asText()).isEqualTo("a\"b");
    }

    @Test
    void findReportsTheValueAndAbsentFieldsLeaveInputUnchanged() {
        assertThat(JsonSplice.find(utf8("{\"model\":\"m\"}"), "model").value()).isEqualTo("m");
        byte[] in = utf8("{\"object\":\"list\"}");
        assertThat(JsonSplice.replace(in, "model", "x")).isSameAs(in);
        // a non-string model is not ours to rewrite
        assertThat(str(JsonSplice.replace(utf8("{\"model\":5}"), "model", "x"))).isEqualTo("{\"model\":5}");
    }

    @Test
    void malformedOrNonObjectInputIsRefused() {
        assertThat(JsonSplice.replace(utf8("{\"model\":\"m\""), "model", "x")).isNull();
        assertThat(JsonSplice.replace(utf8("[1]"), "model", "x")).isNull();
        assertThat(JsonSplice.replace(utf8("{\"model\":\"m\"} trailing"), "model", "x")).isNull();
        assertThat(JsonSplice.replace(utf8("{not json"), "model", "x")).isNull();
    }
}
