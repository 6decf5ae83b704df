/**
 * The protocol's words ({@link io.hogwild.collaboration.prompt.PromptTexts}) and the prompt rendered through the
 * model's own chat template ({@link io.hogwild.collaboration.prompt.PromptRenderer}).
 */
package io.hogwild.collaboration.prompt;
