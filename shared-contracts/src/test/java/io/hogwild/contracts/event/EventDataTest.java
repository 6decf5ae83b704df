package io.hogwild.contracts.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The vocabulary and the payloads stay one to one, and the JSON names are the vocabulary's. */
class EventDataTest {

    /** Every record that implements EventData, found through the sealed hierarchy (not through a list kept here). */
    private static List<Class<?>> records() {
        List<Class<?>> records = new ArrayList<>();
        List<Class<?>> pending = new ArrayList<>(List.of(EventData.class));
        while (!pending.isEmpty()) {
            Class<?> type = pending.remove(0);
            if (type.isRecord()) {
                records.add(type);
            } else {
                pending.addAll(Arrays.asList(type.getPermittedSubclasses()));
            }
        }
        return records;
    }

    /** The type a record reports, asked of an instance built with zero/null/false components. */
    private static EventType reportedType(Class<?> record) throws ReflectiveOperationException {
        RecordComponent[] components = record.getRecordComponents();
        Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        Object[] values = Arrays.stream(types).map(EventDataTest::zero).toArray();
        return ((EventData) record.getDeclaredConstructor(types).newInstance(values)).type();
    }

    private static Object zero(Class<?> type) {
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        if (type == boolean.class) {
            return false;
        }
        return null;
    }

    @Test
    void everyEventTypeHasExactlyOneRecordAndEveryRecordOneType() throws ReflectiveOperationException {
        Map<EventType, Class<?>> byType = new LinkedHashMap<>();
        for (Class<?> record : records()) {
            Class<?> previous = byType.put(reportedType(record), record);
            assertThat(previous).as("two records report %s", reportedType(record)).isNull();
        }
        assertThat(byType.keySet()).containsExactlyInAnyOrder(EventType.values());
    }

    @Test
    void eachRecordIsNamedAfterItsType() throws ReflectiveOperationException {
        for (Class<?> record : records()) {
            String camel = Arrays.stream(reportedType(record).name().split("_"))
                    .map(word -> word.charAt(0) + word.substring(1).toLowerCase(Locale.ROOT))
                    .collect(Collectors.joining());
            assertThat(record.getSimpleName()).isEqualTo(camel);
        }
    }

    @Test
    void theJsonTypeNamesAreTheVocabularysNames() throws ReflectiveOperationException {
        Map<Class<?>, String> jsonNames = Arrays.stream(EventData.class.getAnnotation(JsonSubTypes.class).value())
                .collect(Collectors.toMap(JsonSubTypes.Type::value, JsonSubTypes.Type::name));
        assertThat(jsonNames.keySet()).containsExactlyInAnyOrderElementsOf(records());
        for (Class<?> record : records()) {
            assertThat(jsonNames.get(record)).as(record.getSimpleName()).isEqualTo(reportedType(record).name());
        }
    }
}
