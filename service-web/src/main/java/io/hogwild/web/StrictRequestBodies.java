package io.hogwild.web;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import org.springframework.core.Ordered;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.DeserializationProblemHandler;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Request bodies whose type says {@code @JsonIgnoreProperties(ignoreUnknown = false)} are refused with a 400 that
 * names the unknown field: a misspelt {@code {"wrkers": 3}} would otherwise silently run with the default. Everything
 * else stays lenient (Jackson 3's default), so that a newer peer's extra field never breaks a call between services,
 * and this applies only to what a service's controllers read, never to its clients or to Redis.
 *
 * <p>Jackson itself honours {@code ignoreUnknown = false} only when unknown properties fail globally, hence the
 * problem handler on the server's own copy of the mapper.
 */
public class StrictRequestBodies implements WebFluxConfigurer, Ordered {

    private final JsonMapper strict;

    public StrictRequestBodies(JsonMapper json) {
        this.strict = json.rebuild().addHandler(new RefuseUnknownFields()).build();
    }

    /** After Boot's codec customizers, which set the default JSON decoder this one replaces. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void configureHttpMessageCodecs(ServerCodecConfigurer configurer) {
        configurer.defaultCodecs().jacksonJsonDecoder(new JacksonJsonDecoder(strict));
    }

    /** Fails on an unknown property of a type that asks for it, like Jackson's own check would. */
    static final class RefuseUnknownFields extends DeserializationProblemHandler {

        @Override
        public boolean handleUnknownProperty(DeserializationContext context, JsonParser parser,
                                             ValueDeserializer<?> deserializer, Object beanOrClass,
                                             String propertyName) {
            Class<?> type = beanOrClass instanceof Class<?> c ? c : beanOrClass.getClass();
            JsonIgnoreProperties ignorals = type.getAnnotation(JsonIgnoreProperties.class);
            if (ignorals == null || ignorals.ignoreUnknown()) {
                return false;
            }
            throw UnrecognizedPropertyException.from(parser, beanOrClass, propertyName,
                    deserializer.getKnownPropertyNames());
        }
    }
}
