package io.hogwild.testing;

/**
 * The service credential the tests give the services they start ({@code hogwild.internal.token}) and send on calls
 * to the orchestrator's and the GPU worker's APIs, which refuse calls without it.
 */
public final class ServiceCredentials {

    public static final String TOKEN = "test-internal-token-0123456789abcdef";

    private ServiceCredentials() {
    }

    /** {@code --hogwild.internal.token=...}, for services started with SpringApplicationBuilder. */
    public static String argument() {
        return "--hogwild.internal.token=" + TOKEN;
    }

    /** The value of the Authorization header. */
    public static String bearer() {
        return "Bearer " + TOKEN;
    }
}
