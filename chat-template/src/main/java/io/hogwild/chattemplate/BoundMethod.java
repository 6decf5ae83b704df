package io.hogwild.chattemplate;

/**
 * A method looked up on a value ({@code message.content.startswith}), ready to be called. Kept
 * as a value so that {@code {{ s.upper }}} without a call prints like Python instead of failing.
 */
record BoundMethod(String name, Object receiver, TemplateCallable implementation) implements TemplateCallable {

    @Override
    public Object call(CallArguments arguments) {
        return implementation.call(arguments);
    }

    @Override
    public String toString() {
        return "<built-in method " + name + " of " + PyOps.typeName(receiver) + " object>";
    }
}
