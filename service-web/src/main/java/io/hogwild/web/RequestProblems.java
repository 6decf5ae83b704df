package io.hogwild.web;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpStatus;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.MissingRequestValueException;
import org.springframework.web.server.ServerWebInputException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.PropertyNamingStrategy;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Request errors found before a handler runs, as 400 problems that name the offending {@code field} the way the
 * client spelled it (snake_case JSON path, e.g. {@code hogwild.max_step_tokens} or {@code messages[0].role}).
 */
final class RequestProblems {

    /** Jackson's own translation, so that a named field is exactly the property the client sends. */
    private static final PropertyNamingStrategy SNAKE_CASE = PropertyNamingStrategies.SNAKE_CASE;

    private RequestProblems() {
    }

    /** Bean-validation failures: the first field (in name order) is {@code field}; all are listed in {@code errors}. */
    static ApiException invalid(WebExchangeBindException e) {
        List<Map<String, String>> errors = new ArrayList<>();
        for (FieldError error : e.getFieldErrors()) {
            errors.add(Map.of("field", snakeCase(error.getField()),
                    "message", String.valueOf(error.getDefaultMessage())));
        }
        errors.sort(Comparator.comparing(error -> error.get("field")));
        String detail = errors.stream().map(error -> error.get("field") + ": " + error.get("message"))
                .collect(Collectors.joining("; "));
        ApiException problem = ApiException.badRequest(null, detail.isEmpty() ? "the request is not valid" : detail);
        if (!errors.isEmpty()) {
            problem.atField(errors.get(0).get("field"));
        }
        return problem.with("errors", errors);
    }

    /**
     * Input Spring could not bind: malformed JSON, a value of the wrong type, a missing body, parameter or header.
     */
    static ApiException unreadable(ServerWebInputException e) {
        JacksonException jackson = ProblemRenderer.findCause(e, JacksonException.class);
        if (jackson == null) {
            String reason = e.getReason() != null ? e.getReason() : "the request could not be read";
            if (reason.toLowerCase(Locale.ROOT).contains("no request body")) {
                return ApiException.badRequest(null, "the request body is missing; send a JSON object");
            }
            return ApiException.badRequest(requestValueName(e), reason);
        }
        if (jackson instanceof StreamReadException && !(jackson instanceof MismatchedInputException)) {
            // Not JSON at all: say where the parser stopped, never echo the body back.
            var location = jackson.getLocation();
            return new ApiException(HttpStatus.BAD_REQUEST, "malformed-json", "Malformed JSON",
                    "the request body is not valid JSON" + (location != null
                            ? " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")" : ""));
        }
        String field = jsonPath(jackson.getPath());
        InvalidFormatException format = ProblemRenderer.findCause(e, InvalidFormatException.class);
        String detail;
        if (jackson instanceof UnrecognizedPropertyException unknown) {
            String known = unknown.getKnownPropertyIds() == null ? "" : unknown.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", "));
            detail = field + ": unknown field" + (known.isEmpty() ? "" : "; the fields here are " + known);
        } else if (format != null && format.getTargetType() != null && format.getTargetType().isEnum()) {
            String allowed = Arrays.stream(format.getTargetType().getEnumConstants())
                    .map(c -> c.toString().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
            detail = field + ": unknown value '" + format.getValue() + "'; expected one of " + allowed;
        } else if (format != null) {
            detail = field + ": '" + format.getValue() + "' is not a valid " + jsonType(format.getTargetType());
        } else if (jackson instanceof MismatchedInputException mismatch && field != null) {
            detail = field + ": expected " + jsonType(mismatch.getTargetType());
        } else {
            detail = "the request body is not a valid JSON object for this endpoint";
        }
        return ApiException.badRequest(field, detail);
    }

    /** The query parameter, header or path variable Spring could not bind, by the name the client sends. */
    private static String requestValueName(ServerWebInputException e) {
        if (e instanceof MissingRequestValueException missing) {
            return missing.getName();
        }
        MethodParameter parameter = e.getMethodParameter();
        if (parameter == null || parameter.hasParameterAnnotation(RequestBody.class)) {
            return null;
        }
        RequestParam query = parameter.getParameterAnnotation(RequestParam.class);
        RequestHeader header = parameter.getParameterAnnotation(RequestHeader.class);
        PathVariable path = parameter.getParameterAnnotation(PathVariable.class);
        // Spring synthesizes these annotations: name() and value() are aliases.
        String declared = query != null ? query.name() : header != null ? header.name()
                : path != null ? path.name() : "";
        return declared.isEmpty() ? parameter.getParameterName() : declared;
    }

    /** A Java property path ({@code hogwild.maxStepTokens}, {@code items[0].itemName}) as it is on the wire. */
    static String snakeCase(String javaPath) {
        StringBuilder out = new StringBuilder(javaPath.length() + 8);
        for (String segment : javaPath.split("\\.", -1)) {
            if (!out.isEmpty()) {
                out.append('.');
            }
            int index = segment.indexOf('[');
            String name = index < 0 ? segment : segment.substring(0, index);
            out.append(SNAKE_CASE.nameForField(null, null, name)).append(index < 0 ? "" : segment.substring(index));
        }
        return out.toString();
    }

    /** Jackson's path to the failure ({@code workers[1].view}); names are already the wire names. Null when empty. */
    private static String jsonPath(Collection<JacksonException.Reference> path) {
        StringBuilder out = new StringBuilder();
        for (JacksonException.Reference ref : path) {
            if (ref.getPropertyName() != null) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.isEmpty() ? null : out.toString();
    }

    private static String jsonType(Class<?> type) {
        if (type == null) {
            return "value";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "integer";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "boolean";
        }
        if (type == String.class) {
            return "string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "array";
        }
        return "object";
    }
}
