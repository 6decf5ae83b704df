package io.hogwild.chattemplate;

/**
 * The value of a missing variable, attribute or item, with Jinja's default (lenient) semantics:
 * it prints as the empty string, is falsy, iterates as empty and has length 0, but any arithmetic,
 * attribute access or call on it fails with the hint recorded where it was produced. Chat
 * templates depend on this, e.g. {@code message.reasoning_content is defined}.
 */
final class Undefined {

    private final String hint;

    private Undefined(String hint) {
        this.hint = hint;
    }

    static Undefined variable(String name) {
        return new Undefined("'" + name + "' is undefined");
    }

    static Undefined attribute(Object owner, String attribute) {
        return new Undefined("'" + PyOps.typeName(owner) + " object' has no attribute '" + attribute + "'");
    }

    static Undefined element(Object owner, Object key) {
        return new Undefined(PyOps.typeName(owner) + " object has no element " + PyOps.repr(key));
    }

    static Undefined withHint(String hint) {
        return new Undefined(hint);
    }

    /** The error to raise when the template actually uses this value. */
    TemplateException failure() {
        return new TemplateException("UndefinedError: " + hint);
    }

    String hint() {
        return hint;
    }

    @Override
    public String toString() {
        return "";
    }
}
