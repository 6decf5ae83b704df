package io.hogwild.web;

import org.springframework.http.MediaType;
import org.springframework.web.server.ServerWebExchange;

/**
 * Another shape for the error body of some requests, e.g. OpenAI's {@code {"error": {...}}} on the OpenAI-compatible
 * paths, whose clients cannot read an RFC 9457 problem. {@link ProblemRenderer} still decides the status, headers
 * ({@code Retry-After}, {@code WWW-Authenticate}) and tells its listeners; the first format (in bean order) that
 * applies to the request writes the body. Declare one as a bean.
 */
public interface ProblemFormat {

    boolean appliesTo(ServerWebExchange exchange);

    MediaType contentType();

    /** The body to write as JSON; {@code problem} is what would have been the RFC 9457 document. */
    Object body(ApiException problem, ServerWebExchange exchange);
}
