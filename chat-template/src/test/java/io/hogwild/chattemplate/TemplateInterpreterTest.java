package io.hogwild.chattemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Focused checks of the interpreter features chat templates rely on, and of its error reporting. */
class TemplateInterpreterTest {

    private static String render(String source, Map<String, ?> variables) {
        return Template.compile(source).render(variables);
    }

    private static String render(String source) {
        return render(source, Map.of());
    }

    @Nested
    class Whitespace {

        private final String list = "<ul>\n  {% for x in xs %}\n    <li>{{ x }}</li>\n  {% endfor %}\n</ul>\n";

        @Test
        void trimBlocksAndLstripBlocksAreOnAsInTransformers() {
            // Expected strings produced by Python Jinja2 3.1.6 with and without the two options.
            assertThat(render(list, Map.of("xs", List.of(1, 2))))
                    .isEqualTo("<ul>\n    <li>1</li>\n    <li>2</li>\n</ul>");
            assertThat(Template.compile(list, TemplateEnvironment.withWhitespaceOptions(false, false, Clock.systemUTC()))
                    .render(Map.of("xs", List.of(1, 2))))
                    .isEqualTo("<ul>\n  \n    <li>1</li>\n  \n    <li>2</li>\n  \n</ul>");
        }

        @Test
        void minusStripsAllWhitespaceIncludingNewlines() {
            assertThat(render("a  \n  {%- if true -%}  \n  b  \n  {%- endif -%}\n  c")).isEqualTo("abc");
            assertThat(render("a \n {{- 'b' -}} \n c")).isEqualTo("abc");
        }

        @Test
        void commentsProduceNothing() {
            assertThat(render("a{# {{ ignored }} #}b\n{# whole line #}\nc")).isEqualTo("ab\nc");
        }

        @Test
        void oneTrailingNewlineOfTheTemplateIsDropped() {
            assertThat(render("x\n\n")).isEqualTo("x\n");
        }
    }

    @Nested
    class Statements {

        @Test
        void namespaceCarriesStateOutOfALoopButPlainSetDoesNot() {
            String source = "{% set ns = namespace(last=-1) %}{% set plain = -1 %}"
                    + "{% for m in messages %}{% if m == 'user' %}{% set ns.last = loop.index0 %}"
                    + "{% set plain = loop.index0 %}{% endif %}{% endfor %}{{ ns.last }} {{ plain }}";
            assertThat(render(source, Map.of("messages", List.of("user", "assistant", "user", "assistant"))))
                    .isEqualTo("2 -1");
        }

        @Test
        void reversedIterationWithIndexArithmetic() {
            // Qwen3's pattern for finding the last user query.
            String source = "{% for m in messages[::-1] %}{{ (messages|length - 1) - loop.index0 }}{{ m }} {% endfor %}";
            assertThat(render(source, Map.of("messages", List.of("a", "b", "c")))).isEqualTo("2c 1b 0a ");
        }

        @Test
        void loopVariablesElseBreakAndContinue() {
            assertThat(render("{% for x in xs %}{{ loop.index }}/{{ loop.length }}{{ '!' if loop.last }} {% endfor %}",
                    Map.of("xs", List.of("a", "b")))).isEqualTo("1/2 2/2! ");
            assertThat(render("{% for x in [] %}x{% else %}none{% endfor %}")).isEqualTo("none");
            assertThat(render("{% for i in range(10) %}{% if i is odd %}{% continue %}{% endif %}"
                    + "{% if i > 5 %}{% break %}{% endif %}{{ i }}{% endfor %}")).isEqualTo("024");
        }

        @Test
        void macrosWithDefaultsAndKeywords() {
            assertThat(render("{% macro tag(name, open=true) %}<{{ '' if open else '/' }}{{ name }}>{% endmacro %}"
                    + "{{ tag('a') }}{{ tag('a', open=false) }}")).isEqualTo("<a></a>");
        }

        @Test
        void elifChains() {
            String source = "{% for r in roles %}{% if r == 'user' %}U{% elif r == 'assistant' %}A{% else %}?{% endif %}{% endfor %}";
            assertThat(render(source, Map.of("roles", List.of("user", "assistant", "tool")))).isEqualTo("UA?");
        }
    }

    @Nested
    class Expressions {

        @Test
        void pythonStringMethods() {
            String content = "<think>\nplan\n</think>\n\nHello!";
            assertThat(render("{{ c.split('</think>')[-1].lstrip('\\n') }}|"
                    + "{{ c.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') }}|"
                    + "{{ c.startswith('<think>') }}{{ c.endswith('!') }}|{{ '  x  '.strip() }}|{{ 'xxhixx'.strip('x') }}",
                    Map.of("c", content))).isEqualTo("Hello!|plan|TrueTrue|x|hi");
        }

        @Test
        void slicesWithNegativeBoundsAndSteps() {
            assertThat(render("{{ 'abcdef'[::-1] }} {{ 'abcdef'[1:-1:2] }} {{ [1, 2, 3, 4, 5][-2:0:-1] }} {{ [1, 2, 3][-1] }}"))
                    .isEqualTo("fedcba bd [4, 3, 2] 3");
        }

        @Test
        void operatorsFollowJinjaPrecedence() {
            assertThat(render("{{ 1 + 2 * 3 }} {{ -2 ** 2 }} {{ 7 // 2 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 'a' ~ 1 ~ none }}"))
                    .isEqualTo("7 4 3 2 3.5 a1None");
            assertThat(render("{{ 'b' in 'abc' and 3 not in [1, 2] and not false }}")).isEqualTo("True");
        }

        @Test
        void valuesPrintLikePython() {
            assertThat(render("{{ none }} {{ true }} {{ 1.0 }} {{ 1e20 }} {{ [1, 'a', none] }} {{ {'k': \"it's\"} }} {{ (1,) }}"))
                    .isEqualTo("None True 1.0 1e+20 [1, 'a', None] {'k': \"it's\"} (1,)");
        }

        @Test
        void missingKeysAreUndefinedAndTestable() {
            Map<String, Object> message = Map.of("role", "assistant", "content", "x");
            assertThat(render("{{ m.reasoning_content is defined }} {{ m.reasoning_content }}|{{ m.content is string }}",
                    Map.of("m", message))).isEqualTo("False |True");
        }

        @Test
        void trueAndFalseTestsCheckIdentityNotTruthiness() {
            assertThat(render("{{ 0 is false }} {{ false is false }} {{ 1 is true }} {{ x is false }}", Map.of("x", false)))
                    .isEqualTo("False True False True");
        }

        @Test
        void stringsAreSequencesOfCodePoints() {
            assertThat(render("{{ s|length }} {{ s[1] }} {{ s[::-1] }}", Map.of("s", "é😀a"))).isEqualTo("3 😀 a😀é");
        }
    }

    @Nested
    class FiltersAndGlobals {

        @Test
        void tojsonIsTransformersJsonDumpsNotJinjasHtmlSafeVersion() {
            Map<String, Object> value = Map.of("q", "<b> & 'é'");
            assertThat(render("{{ v|tojson }}", Map.of("v", value))).isEqualTo("{\"q\": \"<b> & 'é'\"}");
            assertThat(render("{{ [1, {'a': none}]|tojson(indent=2) }}")).isEqualTo("[\n  1,\n  {\n    \"a\": null\n  }\n]");
            assertThat(render("{{ 'é'|tojson(ensure_ascii=true) }}")).isEqualTo("\"\\u00e9\"");
        }

        @Test
        void commonFilters() {
            assertThat(render("{{ '  a '|trim }}|{{ xs|length }}|{{ 'Ab'|upper }}{{ 'Ab'|lower }}|{{ nope|default('d') }}|"
                    + "{{ xs|join(', ') }}|{{ 'aab'|replace('a', 'x') }}|{{ 5|string ~ '!' }}|{{ xs|first }}{{ xs|last }}|"
                    + "{{ {'k': 1}|items|list }}", Map.of("xs", List.of("p", "q"))))
                    .isEqualTo("a|2|ABab|d|p, q|xxb|5!|pq|[('k', 1)]");
        }

        @Test
        void strftimeNowReadsTheInjectedClock() {
            Clock clock = Clock.fixed(Instant.parse("2024-07-26T09:05:03Z"), ZoneOffset.UTC);
            assertThat(Template.compile("{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%A %-d %B %H:%M:%S') }}", clock)
                    .render(Map.of())).isEqualTo("26 Jul 2024|Friday 26 July 09:05:03");
        }
    }

    @Nested
    class Errors {

        @Test
        void unknownFilterFailsAtCompileTimeWithItsLine() {
            assertThatThrownBy(() -> Template.compile("line one\n{{ x | shout }}"))
                    .isInstanceOf(TemplateException.class)
                    .hasMessage("line 2: No filter named 'shout'.")
                    .extracting(e -> ((TemplateException) e).line()).isEqualTo(2);
        }

        @Test
        void unknownTestFailsAtCompileTime() {
            assertThatThrownBy(() -> Template.compile("{% if x is shiny %}{% endif %}"))
                    .isInstanceOf(TemplateException.class)
                    .hasMessageContaining("No test named 'shiny'");
        }

        @Test
        void raiseExceptionSurfacesTheTemplatesMessage() {
            Template template = Template.compile("{% for m in messages %}\n{% if m.role not in ['user', 'assistant'] %}\n"
                    + "{{ raise_exception('Conversation roles must be user or assistant, got ' + m.role) }}\n{% endif %}\n{% endfor %}");

            assertThatThrownBy(() -> template.render(Map.of("messages", List.of(Map.of("role", "tool")))))
                    .isInstanceOf(TemplateRaisedException.class)
                    .hasMessage("line 3: Conversation roles must be user or assistant, got tool")
                    .extracting(e -> ((TemplateException) e).detail())
                    .isEqualTo("Conversation roles must be user or assistant, got tool");
            assertThat(template.render(Map.of("messages", List.of(Map.of("role", "user"))))).isEmpty();
        }

        @Test
        void undefinedValuesFailOnUseWithTheLine() {
            assertThatThrownBy(() -> render("ok\n{{ missing + 1 }}"))
                    .isInstanceOf(TemplateException.class)
                    .hasMessage("line 2: UndefinedError: 'missing' is undefined");
            assertThatThrownBy(() -> render("{{ missing.attr }}"))
                    .hasMessageContaining("'missing' is undefined");
        }

        @Test
        void pythonTypeErrorsAreReported() {
            assertThatThrownBy(() -> render("{{ 'a' + 1 }}"))
                    .isInstanceOf(TemplateException.class)
                    .hasMessageContaining("TypeError: can only concatenate str (not \"int\") to str");
        }

        @Test
        void unsupportedAndMalformedSyntaxIsRejectedWithLines() {
            assertThatThrownBy(() -> Template.compile("{% include 'other.jinja' %}"))
                    .hasMessage("line 1: unsupported tag 'include'.");
            assertThatThrownBy(() -> Template.compile("a\n{% if x %}\nb"))
                    .hasMessageContaining("unexpected end of template")
                    .hasMessageContaining("endif");
            assertThatThrownBy(() -> Template.compile("{% break %}"))
                    .hasMessageContaining("'break' outside of a for loop");
            assertThatThrownBy(() -> Template.compile("{{ 'unterminated }}"))
                    .hasMessageContaining("unterminated string literal");
            assertThatThrownBy(() -> Template.compile("{{ x "))
                    .hasMessageContaining("expected '}}'");
        }

        @Test
        void sandboxRefusesMutatingMethods() {
            assertThatThrownBy(() -> render("{% set xs = [1] %}{{ xs.append(2) }}"))
                    .hasMessageContaining("access to attribute 'append' of 'list' object is unsafe");
        }

        @Test
        void onlyNamespacesAcceptAttributeAssignment() {
            assertThatThrownBy(() -> render("{% set d = {} %}{% set d.x = 1 %}"))
                    .hasMessage("line 1: cannot assign attribute on non-namespace object");
        }
    }
}
