/**
 * Renders Hugging Face chat templates (the Jinja {@code chat_template} of
 * {@code tokenizer_config.json}) exactly as Python transformers does.
 *
 * <p>Entry point: {@link io.hogwild.chattemplate.ChatTemplate}. Underneath is a
 * small Jinja interpreter: {@code Lexer} (tokens and whitespace control) → {@code Parser} (AST of
 * {@code Node}/{@code Expr}) → {@code Interpreter}/{@code Evaluator}, with Python value semantics
 * in {@code PyOps}, {@code PyStrings}, {@code StringMethods}, {@code Attributes}, filters in
 * {@code Filters}, tests in {@code TestFunctions} and transformers' globals in
 * {@code TemplateEnvironment}.
 */
package io.hogwild.chattemplate;
