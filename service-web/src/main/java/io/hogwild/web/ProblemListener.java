package io.hogwild.web;

import org.springframework.web.server.ServerWebExchange;

/**
 * Told about every problem {@link ProblemRenderer} answers, just before it is written (e.g. to count rejected requests
 * by reason). Declare one as a bean; it runs on the request's thread, so it must not block.
 */
@FunctionalInterface
public interface ProblemListener {

    void rendered(ServerWebExchange exchange, ApiException problem);
}
