package io.hogwild.gateway.runs;

import io.hogwild.gateway.security.ApiPrincipal;
import io.hogwild.web.ApiException;
import java.util.regex.Pattern;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Which API key created which run, in Redis ({@code hogwild:gateway:run:{id}:owner} = the key's name), so that every
 * gateway replica enforces the same visibility. Like runs themselves, owners are never deleted. A run someone else
 * owns is answered as "not found", so ids cannot be probed for existence.
 */
@Component
public class RunOwners {

    /** Run ids are the orchestrator's UUIDs; anything far from that is refused before it reaches Redis. */
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    private final ReactiveStringRedisTemplate redis;

    public RunOwners(ReactiveStringRedisTemplate redis) {
        this.redis = redis;
    }

    public Mono<Void> record(String runId, ApiPrincipal owner) {
        return redis.opsForValue().set(key(runId), owner.name()).then();
    }

    /** Completes when {@code principal} may see the run; errors with 404 otherwise. Admins see every run. */
    public Mono<Void> checkAccess(String runId, ApiPrincipal principal) {
        if (!RUN_ID.matcher(runId).matches()) {
            return Mono.error(ApiException.notFound("no run " + runId));
        }
        if (principal.admin()) {
            return Mono.empty();
        }
        return redis.opsForValue().get(key(runId))
                .filter(owner -> owner.equals(principal.name()))
                .switchIfEmpty(Mono.error(() -> ApiException.notFound("no run " + runId)))
                .then();
    }

    private static String key(String runId) {
        return "hogwild:gateway:run:" + runId + ":owner";
    }
}
