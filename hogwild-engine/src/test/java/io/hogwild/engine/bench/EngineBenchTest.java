package io.hogwild.engine.bench;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import io.hogwild.engine.cli.EngineCliAccess;
import org.junit.jupiter.api.Test;

/** The benchmark runs end to end on a tiny shape and reports every field the closing notes quote. */
class EngineBenchTest {

    @Test
    void benchReportsRowsRatiosAndCacheBytes() throws Exception {
        String out = EngineCliAccess.runToString("bench", "--shape", "tiny", "--workers", "1,2", "--context", "64,256",
                "--steps", "3", "--warmup", "1", "--layouts", "combined,interleaved");
        JsonNode doc = new ObjectMapper().readTree(out);
        JsonNode rows = doc.path("rows");
        assertThat(rows.size()).isEqualTo(2 * 2 * 2 * 2);
        for (JsonNode r : rows) {
            for (String f : new String[] {"shape", "layout", "mode", "workers", "context", "step_ms_median",
                    "tokens_per_s", "speedup_vs_naive", "step_ratio_vs_one_worker"}) {
                assertThat(r.has(f)).as(f).isTrue();
            }
            assertThat(r.path("step_ms_median").asDouble()).isPositive();
            JsonNode cache = r.path("cache");
            // Shared blocks are stored once: the cache holds context + one token per worker per step...
            int steps = 3 + 1;
            assertThat(cache.path("tokens_stored").asLong())
                    .isEqualTo(r.path("context").asLong() + (long) r.path("workers").asInt() * steps);
            // ...while the views together see it once per worker.
            assertThat(cache.path("tokens_in_all_views").asLong())
                    .isGreaterThanOrEqualTo(r.path("workers").asLong() * r.path("context").asLong());
            assertThat(cache.path("allocated_bytes").asLong()).isLessThanOrEqualTo(2 * cache.path("used_bytes").asLong());
        }
        assertThat(doc.path("summary").size()).isEqualTo(2 * 2 * 2);
    }
}
