package io.hogwild.chattemplate;

import tools.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts caller-supplied Java and JSON values into the small set of types the interpreter
 * works with (see {@link PyOps}), the way the equivalent Python objects would look after
 * {@code json.loads}: integers become long, other numbers double, maps keep their order.
 */
final class TemplateValues {

    private TemplateValues() {
    }

    static Object fromJava(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double
                || v instanceof Undefined || v instanceof Namespace || v instanceof TemplateCallable || v instanceof PyTuple) {
            return v;
        }
        if (v instanceof CharSequence text) {
            return text.toString();
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return Double.parseDouble(f.toString()); // 0.1f becomes 0.1, as a user would expect
        }
        if (v instanceof BigInteger big) {
            return integer(big);
        }
        if (v instanceof BigDecimal decimal) {
            return decimal.doubleValue();
        }
        if (v instanceof JsonNode node) {
            return fromJson(node);
        }
        if (v instanceof ChatMessage message) {
            return fromJava(message.toTemplateValue());
        }
        if (v instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((k, val) -> copy.put(fromJava(k), fromJava(val)));
            return copy;
        }
        if (v instanceof Iterable<?> iterable) {
            List<Object> copy = new ArrayList<>();
            iterable.forEach(item -> copy.add(fromJava(item)));
            return copy;
        }
        if (v instanceof Object[] array) {
            return fromJava(List.of(array));
        }
        throw new IllegalArgumentException("unsupported template value type: " + v.getClass().getName());
    }

    static Object fromJson(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return integer(node.bigIntegerValue());
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isArray()) {
            List<Object> items = new ArrayList<>(node.size());
            node.forEach(item -> items.add(fromJson(item)));
            return items;
        }
        if (node.isObject()) {
            Map<Object, Object> map = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                map.put(field.getKey(), fromJson(field.getValue()));
            }
            return map;
        }
        throw new IllegalArgumentException("unsupported JSON node: " + node.getNodeType());
    }

    private static Object integer(BigInteger big) {
        if (big.bitLength() >= 64) {
            throw new IllegalArgumentException("integer out of the supported 64-bit range: " + big);
        }
        return big.longValue();
    }
}
