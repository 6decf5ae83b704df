package io.hogwild.chattemplate;

/**
 * Anything a template can call: globals such as {@code namespace()} or
 * {@code raise_exception()}, macros, bound string/dict methods and {@code loop.cycle}.
 */
@FunctionalInterface
interface TemplateCallable {

    Object call(CallArguments arguments);
}
