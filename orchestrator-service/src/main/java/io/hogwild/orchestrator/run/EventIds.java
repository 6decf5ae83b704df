package io.hogwild.orchestrator.run;

import io.hogwild.web.ApiException;
import java.util.regex.Pattern;

/** Event ids are Redis stream ids ({@code millis-seq}); anything else from a client is refused, not sent to Redis. */
public final class EventIds {

    private static final Pattern STREAM_ID = Pattern.compile("\\d{1,19}(-\\d{1,19})?");

    private EventIds() {
    }

    public static String validated(String id) {
        if (id == null || id.isBlank()) {
            return null;
        }
        if (!STREAM_ID.matcher(id).matches()) {
            throw ApiException.badRequest("after", "event ids look like 1719830000000-0, not '" + id + "'");
        }
        return id;
    }
}
