package io.hogwild.gateway.console;

import static io.hogwild.gateway.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hogwild.gateway.support.Http;
import io.hogwild.gateway.support.DemoPlatform;
import io.hogwild.gateway.support.Stack;
import io.hogwild.testing.redis.RealRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The console in a real headless Chromium against the real platform in this JVM (the bundled demo model in the GPU
 * worker, the orchestrator, the gateway, Redis): an admin logs in, starts a two-worker demo run from the console,
 * watches both worker columns fill while the run is still going, sees the answer, scrubs the lockstep view; a wrong
 * key and a user key are refused. Screenshots go to target/screenshots.
 *
 * <p>The demo model's texts may change when it is retrained: the checks are about structure (columns fill, an answer
 * appears, the run ends FINISHED, the lockstep view matches the plan and the event log), never about its wording.
 */
@RealRedis
class ConsoleBrowserTest {

    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);
    private static final String KEY_ITEM = "hogwild.console.key";

    private static ConfigurableApplicationContext gateway;
    private static WebTestClient http;
    private static JsonMapper json;
    private static Chromium chromium;
    private static String console;

    @BeforeAll
    static void start() {
        gateway = Stack.gateway(DemoPlatform.orchestratorUrl());
        http = Http.client(gateway);
        json = Http.json(gateway);
        console = "http://127.0.0.1:" + Stack.port(gateway) + "/console/";
        chromium = Chromium.start();
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
    }

    /** A failed test leaves a screenshot of the page and the browser's console log, to see what it showed. */
    @RegisterExtension
    final TestWatcher failures = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            chromium.screenshot("failed-" + context.getRequiredTestMethod().getName());
            chromium.driver.manage().logs().get(LogType.BROWSER)
                    .forEach(entry -> System.err.println("browser: " + entry.getMessage()));
        }
    };

    @BeforeEach
    void loggedOut() {
        chromium.driver.get(console);
        chromium.driver.executeScript("sessionStorage.clear()");
        chromium.driver.navigate().refresh();
        chromium.driver.manage().window().setSize(new Dimension(1440, 1000));
        waitFor("the login form").until(() -> present(By.id("admin-key")));
    }

    @Test
    void aWrongKeyShowsAnErrorAndIsNotKept() {
        logIn("not-a-key-of-this-gateway");
        waitFor("the login error").until(() -> find(By.id("login-error")).isDisplayed());
        assertThat(find(By.id("login-error")).getText()).contains("not valid");
        assertThat(storedKey()).isNull();
        assertThat(find(By.id("nav")).isDisplayed()).isFalse();
        chromium.screenshot("console-wrong-key");

        // A valid key that is not an admin key is refused too, with its own reason.
        find(By.id("admin-key")).clear();
        logIn(Stack.ALICE_KEY);
        waitFor("the login error for a user key")
                .until(() -> find(By.id("login-error")).getText().contains("not an admin key"));
        assertThat(storedKey()).isNull();
        assertThat(present(By.id("runs-table"))).isFalse();
    }

    @Test
    @SuppressWarnings("unchecked")
    void anAdminWatchesATwoWorkerDemoRunFromStartToAnswerAndScrubsTheLockstep() {
        logIn(Stack.ADMIN_KEY);
        waitFor("the runs page").until(() -> present(By.id("runs-table")));
        assertThat(storedKey()).isEqualTo(Stack.ADMIN_KEY);

        // Start the demo run from the console's form (prefilled with the demo problem; two workers, greedy).
        find(By.cssSelector("#new-run-panel > summary")).click();
        assertThat(find(By.id("new-problem")).getDomProperty("value")).startsWith("Compute every item");
        replace(By.id("new-workers"), "2");
        replace(By.id("new-max-tokens"), "256");
        replace(By.id("new-temperature"), "0");
        replace(By.id("new-seed"), "1");
        recordWhatThePageShows();
        find(By.id("new-run-start")).click();
        waitFor("the run page").until(() -> chromium.driver.getCurrentUrl().matches(".*#/runs/[0-9a-f-]{36}$"));
        String runId = chromium.driver.getCurrentUrl().replaceFirst(".*#/runs/", "");

        waitFor("two worker columns").until(() -> columns().size() == 2);
        chromium.screenshot("console-run-live");
        waitFor("the run to end FINISHED").atMost(RUN_TIMEOUT)
                .until(() -> "FINISHED".equals(find(By.id("run-status")).getDomAttribute("data-status")));

        Map<String, Object> run = get("/v1/runs/" + runId);
        assertThat(run.get("status")).isEqualTo("FINISHED");
        assertThat(columns()).extracting(column -> column.getDomAttribute("data-worker"))
                .containsExactlyElementsOf((List<String>) run.get("workers"));
        for (WebElement column : columns()) {
            assertThat(column.findElements(By.cssSelector(".step")))
                    .as("steps of %s", column.getDomAttribute("data-worker")).isNotEmpty();
            assertThat(column.findElements(By.cssSelector(".step-text")).stream()
                    .map(text -> text.getDomProperty("textContent")).reduce("", String::concat)).isNotBlank();
        }
        waitFor("the answer").until(() -> present(By.cssSelector("#answers .answer-text")));
        String answer = find(By.cssSelector("#answers .answer-text")).getText();
        assertThat(answer).isNotBlank().isEqualTo(run.get("final_answer"));
        assertThat(chromium.driver.findElements(By.cssSelector("#history li.w0, #history li.w1")))
                .as("the shared history").isNotEmpty();
        assertThat(find(By.id("fact-rate")).getText()).endsWith("tok/s");

        // While the run was still going (before the orchestrator recorded its end), the page already showed both
        // workers' text, and that text grew over many updates: the columns filled live, not from a replay at the end.
        long finishedAt = Instant.parse((String) run.get("finished_at")).toEpochMilli();
        List<Map<String, Object>> samples = (List<Map<String, Object>>) chromium.driver
                .executeScript("return window.consoleSamples");
        List<Map<String, Object>> beforeEnd = samples.stream()
                .filter(s -> ((Number) s.get("at")).longValue() < finishedAt).toList();
        assertThat(beforeEnd).as("page updates before the run ended")
                .anySatisfy(s -> {
                    assertThat(s.get("status")).isEqualTo("RUNNING");
                    assertThat((List<Number>) s.get("chars")).hasSize(2).allMatch(n -> n.intValue() > 0);
                });
        for (int worker = 0; worker < 2; worker++) {
            int index = worker;
            Set<Integer> lengths = new HashSet<>();
            beforeEnd.forEach(s -> {
                List<Number> chars = (List<Number>) s.get("chars");
                if (chars.size() > index) {
                    lengths.add(chars.get(index).intValue());
                }
            });
            assertThat(lengths).as("distinct text lengths of worker %d's column while the run went on", worker)
                    .hasSizeGreaterThanOrEqualTo(4);
        }
        fullPageScreenshot("console-run");

        // The lockstep scrubber: what the second worker read at two passes, block by block in its view's order.
        Map<String, Object> detail = get("/admin/runs/" + runId);
        Map<String, Object> plan = (Map<String, Object>) detail.get("plan");
        String worker = ((List<String>) run.get("workers")).get(1);
        List<String> view = ((List<Map<String, Object>>) plan.get("workers")).stream()
                .filter(w -> worker.equals(w.get("name"))).findFirst()
                .map(w -> (List<String>) w.get("view")).orElseThrow();
        List<Map<String, Object>> events = getList("/admin/runs/" + runId + "/events?limit=10000");
        int lastPass = events.stream().map(e -> (Number) e.get("lockstep")).filter(n -> n != null)
                .mapToInt(Number::intValue).max().orElseThrow();
        String historyBlock = ((List<Map<String, Object>>) plan.get("blocks")).stream()
                .filter(b -> "HISTORY".equals(b.get("role")) && view.contains((String) b.get("name")))
                .map(b -> (String) b.get("name")).findFirst().orElseThrow();
        find(By.cssSelector("#lockstep > summary")).click();
        find(By.cssSelector("#lockstep-worker option[value='" + worker + "']")).click();
        // Just after the first promotion the history holds only what was promoted by then; at the end, all of it.
        int firstPromotion = events.stream().filter(e -> "STEP_PROMOTED".equals(e.get("type")))
                .mapToInt(e -> ((Number) e.get("lockstep")).intValue()).min().orElseThrow();
        for (int pass : List.of(firstPromotion + 1, lastPass)) {
            replace(By.id("lockstep-pass"), Integer.toString(pass));
            assertLockstepView(worker, pass, view, historyBlock, events);
        }
        chromium.driver.executeScript("document.getElementById('lockstep').scrollIntoView()");
        chromium.screenshot("console-lockstep");

        // The runs list shows it, filtered by status; the GPU workers page shows the demo worker.
        find(By.cssSelector("#nav a[data-nav='runs']")).click();
        waitFor("the run in the list").until(() -> present(By.cssSelector("tr[data-run-id='" + runId + "']")));
        find(By.cssSelector("#runs-status option[value='FINISHED']")).click();
        waitFor("the FINISHED filter").until(() -> find(By.id("runs-summary")).getText().contains("FINISHED"));
        // The list is redrawn at every refresh: read the row afresh each time.
        waitFor("the run's row").untilAsserted(() -> assertThat(find(By.cssSelector("tr[data-run-id='" + runId
                + "']")).getText()).contains("FINISHED").contains(answer));
        chromium.screenshot("console-runs");
        find(By.cssSelector("#nav a[data-nav='workers']")).click();
        waitFor("the demo GPU worker").until(() ->
                present(By.cssSelector("#workers-table tr[data-worker='" + DemoPlatform.GPU_WORKER_ID + "']")));
        // "0 / 16": its session slots, the GPU worker's default max-sessions.
        waitFor("the demo GPU worker's row").untilAsserted(() -> assertThat(find(By.cssSelector(
                "#workers-table tr[data-worker='" + DemoPlatform.GPU_WORKER_ID + "']")).getText())
                .contains("hogwild-demo").contains("CLOSED").contains("/ 16"));
        chromium.screenshot("console-workers");

        assertThat(pageErrors()).as("script errors or CSP violations in the browser console").isEmpty();
    }

    // ----- helpers -----

    private static void logIn(String key) {
        find(By.id("admin-key")).sendKeys(key);
        find(By.id("login-submit")).click();
    }

    private static String storedKey() {
        return (String) chromium.driver.executeScript("return sessionStorage.getItem(arguments[0])", KEY_ITEM);
    }

    /**
     * Records, at every change of the page, what it shows of the run: the status and each worker column's text
     * length, with the browser's clock (the same machine's clock the orchestrator records the run's end with).
     */
    private static void recordWhatThePageShows() {
        chromium.driver.executeScript("""
                window.consoleSamples = [];
                const sample = () => {
                  const status = document.getElementById('run-status')?.dataset.status ?? null;
                  const chars = [...document.querySelectorAll('#columns .column')].map(column =>
                    [...column.querySelectorAll('.step-text')].reduce((n, text) => n + text.textContent.length, 0));
                  const last = window.consoleSamples[window.consoleSamples.length - 1];
                  if (!last || last.status !== status || last.chars.join() !== chars.join()) {
                    window.consoleSamples.push({ at: Date.now(), status, chars });
                  }
                };
                new MutationObserver(sample).observe(document.getElementById('main'),
                  { subtree: true, childList: true, characterData: true, attributes: true });
                """);
    }

    /**
     * The lockstep panel shows {@code worker}'s view at {@code pass}: its blocks in the plan's order, and a shared
     * history holding exactly the steps promoted before that pass, in promotion order. The panel redraws as its inputs
     * change, so everything is read afresh until it shows that pass.
     */
    private static void assertLockstepView(String worker, int pass, List<String> view, String historyBlock,
                                           List<Map<String, Object>> events) {
        List<String> promoted = promotedBefore(events, pass);
        List<String> all = promotedBefore(events, Integer.MAX_VALUE);
        List<String> later = all.subList(promoted.size(), all.size());
        waitFor("the lockstep view of " + worker + " at pass " + pass).untilAsserted(() -> {
            assertThat(find(By.id("lockstep-summary")).getText()).startsWith(worker + " at pass " + pass + " ");
            assertThat(chromium.driver.findElements(By.cssSelector("#lockstep-view > .block")))
                    .extracting(block -> block.getDomAttribute("data-block")).containsExactlyElementsOf(view);
            assertThat(find(By.id("lockstep-source")).getDomAttribute("data-source")).isIn("rebuilt", "orchestrator");
            String history = find(By.cssSelector("#lockstep-view > .block[data-block='" + historyBlock
                    + "'] .block-text")).getDomProperty("textContent");
            int from = 0;
            for (String step : promoted) {
                int at = history.indexOf(step, from);
                assertThat(at).as("promoted step %s in the history block after position %d", step, from)
                        .isGreaterThanOrEqualTo(0);
                from = at + step.length();
            }
            for (String step : later) {
                assertThat(history).as("the history at pass %d", pass).doesNotContain(step);
            }
        });
    }

    /** The full text of every step promoted before {@code pass}, in promotion order. */
    @SuppressWarnings("unchecked")
    private static List<String> promotedBefore(List<Map<String, Object>> events, int pass) {
        Map<String, String> finished = new HashMap<>();
        List<String> promoted = new ArrayList<>();
        for (Map<String, Object> event : events) {
            Number lockstep = (Number) event.get("lockstep");
            Map<String, Object> data = (Map<String, Object>) event.get("data");
            String step = data.get("worker") + "#" + data.get("step");
            if ("STEP_FINISHED".equals(event.get("type"))) {
                finished.put(step, (String) data.get("text"));
            } else if ("STEP_PROMOTED".equals(event.get("type")) && lockstep != null && lockstep.intValue() < pass) {
                promoted.add(finished.get(step));
            }
        }
        return promoted;
    }

    private static List<String> pageErrors() {
        List<String> errors = new ArrayList<>();
        for (LogEntry entry : chromium.driver.manage().logs().get(LogType.BROWSER)) {
            String message = entry.getMessage();
            if (message.contains("Content Security Policy") || message.contains("Trusted Type")
                    || message.contains("Uncaught") || message.contains("Error:")) {
                errors.add(message);
            }
        }
        return errors;
    }

    private static void fullPageScreenshot(String name) {
        Number height = (Number) chromium.driver.executeScript(
                "return Math.min(4000, document.documentElement.scrollHeight)");
        chromium.driver.manage().window().setSize(new Dimension(1440, Math.max(1000, height.intValue())));
        chromium.screenshot(name);
        chromium.driver.manage().window().setSize(new Dimension(1440, 1000));
    }

    private static List<WebElement> columns() {
        return chromium.driver.findElements(By.cssSelector("#columns > .column"));
    }

    private static WebElement find(By by) {
        return chromium.driver.findElement(by);
    }

    private static boolean present(By by) {
        return !chromium.driver.findElements(by).isEmpty();
    }

    private static void replace(By by, String value) {
        WebElement input = find(by);
        input.clear();
        input.sendKeys(value);
    }

    private static ConditionFactory waitFor(String what) {
        return await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).ignoreExceptions();
    }

    /** A JSON answer of the gateway to the admin key, read past the browser (to compare with what the page shows). */
    private static byte[] adminGet(String path) {
        return http.get().uri(path).header("Authorization", bearer(Stack.ADMIN_KEY))
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
    }

    private static Map<String, Object> get(String path) {
        return Http.map(json, adminGet(path));
    }

    private static List<Map<String, Object>> getList(String path) {
        return json.readValue(adminGet(path), new TypeReference<List<Map<String, Object>>>() { });
    }
}
