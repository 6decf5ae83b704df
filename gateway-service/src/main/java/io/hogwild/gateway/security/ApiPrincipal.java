package io.hogwild.gateway.security;

import org.springframework.web.server.ServerWebExchange;

/**
 * Who sent a request: the key's name from the key file (never the key itself). The name is the client's identity for
 * rate limits, run ownership and logs.
 */
public record ApiPrincipal(String name, Role role) {

    /** Exchange attribute under which {@link ApiKeyFilter} leaves the principal. */
    public static final String ATTRIBUTE = ApiPrincipal.class.getName();

    public enum Role { USER, ADMIN }

    public boolean admin() {
        return role == Role.ADMIN;
    }

    /** The authenticated caller; only absent on open paths (health), where no controller asks for it. */
    public static ApiPrincipal of(ServerWebExchange exchange) {
        ApiPrincipal principal = exchange.getAttribute(ATTRIBUTE);
        if (principal == null) {
            throw new IllegalStateException("no authenticated principal on " + exchange.getRequest().getPath());
        }
        return principal;
    }
}
