package io.hogwild.platform;

import io.hogwild.client.HogwildClient;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.gateway.support.DemoPlatform;
import io.hogwild.gateway.support.Stack;
import java.time.Duration;

/**
 * The platform with the bundled demo model (GPU worker, orchestrator, gateway in this JVM on a real redis-server), one
 * gateway for every test class, accepting the README's development keys. Its base URL is what users give their
 * OpenAI clients: {@code http://host:port/v1}.
 */
final class DemoGateway {

    /** The keys of the README's examples ({@code HOGWILD_API_KEY=dev-key HOGWILD_ADMIN_KEY=dev-admin}). */
    static final String USER_KEY = "dev-key";
    static final String ADMIN_KEY = "dev-admin";
    /** The bundled model's id (its folder name). */
    static final String MODEL = "hogwild-demo";
    /** The README's demo problem: eight one-digit items, the family the demo model was trained on. */
    static final String DEMO_PROBLEM = "Compute every item, then answer with each letter and its result: A=6-3, "
            + "B=9-0, C=0+5, D=1*3, E=9-4, F=3*1, G=4+2, H=4-4.";

    static final Duration T = Duration.ofSeconds(180);

    private static String url;

    private DemoGateway() {
    }

    static synchronized String url() {
        if (url == null) {
            url = "http://127.0.0.1:" + Stack.port(Stack.gateway(DemoPlatform.orchestratorUrl(),
                    "hogwild.gateway.dev-keys.user=" + USER_KEY, "hogwild.gateway.dev-keys.admin=" + ADMIN_KEY));
        }
        return url;
    }

    /** What OpenAI clients are configured with. */
    static String openAiBaseUrl() {
        return url() + "/v1";
    }

    /**
     * The final answer of a greedy run of the demo problem through the run API (defaults otherwise, as a chat request
     * without the {@code hogwild} extension maps to): what every OpenAI client must get for the same request.
     */
    static String runApiAnswer(Integer maxTokensPerWorker) {
        HogwildClient hogwild = HogwildClient.create(url(), USER_KEY);
        RunRequest request = new RunRequest(DEMO_PROBLEM, null, null, maxTokensPerWorker, null, 0.0, null, null,
                null, null, null, null, null, null);
        return hogwild.createRun(request)
                .flatMap(run -> hogwild.events(run.id()).then(hogwild.run(run.id())))
                .block(T).finalAnswer();
    }
}
