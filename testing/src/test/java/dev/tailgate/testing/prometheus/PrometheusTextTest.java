package dev.tailgate.testing.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The strict parser accepts the format's own examples and refuses each rule's violation, naming it. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PrometheusTextTest {
    private static final String VALID = """
            # A plain comment.
            # HELP http_requests_total The total number of HTTP requests.
            # TYPE http_requests_total counter
            http_requests_total{method="post",code="200"} 1027 1395066363000
            http_requests_total{method="post",code="400"}    3 1395066363000

            # HELP msdos_file_access_time_seconds Escapes: a \\\\ and a\\nline.
            # TYPE msdos_file_access_time_seconds gauge
            msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
            # TYPE http_request_duration_seconds histogram
            http_request_duration_seconds_bucket{le="0.05"} 24054
            http_request_duration_seconds_bucket{le="0.1"} 33444
            http_request_duration_seconds_bucket{le="+Inf"} 144320
            http_request_duration_seconds_sum 53423
            http_request_duration_seconds_count 144320
            # TYPE rpc_duration_seconds summary
            rpc_duration_seconds{quantile="0.5"} 4773
            rpc_duration_seconds_sum 1.7560473e+07
            rpc_duration_seconds_count 2693
            untyped_metric NaN
            """;

    @Test
    void acceptsTheSpecExamples() {
        PrometheusText t = PrometheusText.parse(VALID);
        assertThat(t.families().keySet()).containsExactly("http_requests_total", "msdos_file_access_time_seconds",
                "http_request_duration_seconds", "rpc_duration_seconds", "untyped_metric");
        assertThat(t.families().get("http_request_duration_seconds").type()).isEqualTo("histogram");
        assertThat(t.families().get("untyped_metric").type()).isEqualTo("untyped");
        assertThat(t.families().get("msdos_file_access_time_seconds").samples().getFirst().labels())
                .containsEntry("path", "C:\\DIR\\FILE.TXT").containsEntry("error", "Cannot find file:\n\"FILE.TXT\"");
        assertThat(t.families().get("http_requests_total").samples().get(1).labels()).isEqualTo(Map.of("method", "post", "code", "400"));
        assertThat(t.seriesNames()).contains("http_request_duration_seconds_bucket", "http_request_duration_seconds", "rpc_duration_seconds_sum");
    }

    @Test
    void refusesEachViolation() {
        String h = "# TYPE h histogram\n";
        Map<String, String> bad = Map.ofEntries(
                Map.entry("no +Inf", h + "h_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n"),
                Map.entry("not above", h + "h_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"),
                Map.entry("below the previous", h + "h_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"),
                Map.entry("!= +Inf bucket", h + "h_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n"),
                Map.entry("has no _sum", h + "h_bucket{le=\"+Inf\"} 1\nh_count 1\n"),
                Map.entry("without an le", h + "h_bucket 1\nh_sum 1\nh_count 1\n"),
                Map.entry("only _bucket", h + "h 1\n"),
                Map.entry("second TYPE", "# TYPE a gauge\n# TYPE a gauge\na 1\n"),
                Map.entry("after its first sample", "a 1\n# TYPE a gauge\n"),
                Map.entry("unknown type", "# TYPE a meter\na 1\n"),
                Map.entry("not contiguous", "a 1\nb 1\na{x=\"1\"} 2\n"),
                Map.entry("duplicate series", "a{x=\"1\"} 1\na{x=\"1\"} 2\n"),
                Map.entry("given twice", "a{x=\"1\",x=\"2\"} 1\n"),
                Map.entry("must be quoted", "a{x=1} 1\n"),
                Map.entry("invalid escape", "a{x=\"\\t\"} 1\n"),
                Map.entry("invalid metric name", "1a 1\n"),
                Map.entry("invalid value", "a 1x\n"),
                Map.entry("invalid timestamp", "a 1 12.5\n"),
                Map.entry("negative counter", "# TYPE c_total counter\nc_total -1\n"),
                Map.entry("le/quantile label", "# TYPE g gauge\ng{le=\"1\"} 1\n"),
                Map.entry("end with a line feed", "a 1"));
        Map<String, String> outcomes = new java.util.TreeMap<>();
        bad.forEach((why, text) -> {
            try {
                PrometheusText.parse(text);
                outcomes.put(why, "accepted");
            } catch (IllegalArgumentException e) {
                outcomes.put(why, e.getMessage().contains(why) ? "refused" : "refused as: " + e.getMessage());
            }
        });
        assertThat(outcomes).as("each violation is refused, naming the rule").allSatisfy((why, outcome) -> assertThat(outcome).as(why).isEqualTo("refused"));
    }
}
