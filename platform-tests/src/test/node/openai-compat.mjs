// Drives the gateway with the official openai npm client, as an application would, and prints what it saw as one
// JSON document (OpenAiNodeClientTest asserts on it). Environment: GATEWAY_URL, API_KEY, MODEL, PROBLEM.
import OpenAI from 'openai';

const { GATEWAY_URL, API_KEY, MODEL, PROBLEM } = process.env;
// No retries: a refusal must be seen as it is, not retried away.
const client = new OpenAI({ baseURL: `${GATEWAY_URL}/v1`, apiKey: API_KEY, maxRetries: 0, timeout: 300_000 });
const ask = { model: MODEL, messages: [{ role: 'user', content: PROBLEM }], temperature: 0 };

/** What an APIError told the client: status and OpenAI's error fields. */
async function refusal(call) {
  try {
    await call();
    return { status: null };
  } catch (e) {
    if (!(e instanceof OpenAI.APIError)) {
      throw e;
    }
    return { status: e.status, type: e.type, code: e.code, param: e.param, message: e.message,
      error_class: e.constructor.name };
  }
}

const report = {};

const models = await client.models.list();
report.models = models.data.map((m) => ({ id: m.id, object: m.object, owned_by: m.owned_by }));

const completion = await client.chat.completions.create({ ...ask, max_tokens: 256, user: 'user-1', store: false });
report.chat = {
  id: completion.id,
  object: completion.object,
  model: completion.model,
  content: completion.choices[0].message.content,
  finish_reason: completion.choices[0].finish_reason,
  usage: completion.usage,
  run_id: completion.hogwild?.run_id,
};

const stream = await client.chat.completions.create({ ...ask, max_tokens: 256, stream: true,
  stream_options: { include_usage: true } });
let content = '';
let reasoning = '';
let usage = null;
let finishReason = null;
let chunks = 0;
for await (const chunk of stream) {
  chunks++;
  if (chunk.usage) {
    usage = chunk.usage;
  }
  for (const choice of chunk.choices) {
    content += choice.delta?.content ?? '';
    reasoning += choice.delta?.reasoning_content ?? '';
    finishReason = choice.finish_reason ?? finishReason;
  }
}
report.stream = { content, reasoning_chars: reasoning.length, usage, finish_reason: finishReason, chunks };

const plain = await client.chat.completions.create(ask);
report.without_max_tokens = { content: plain.choices[0].message.content,
  finish_reason: plain.choices[0].finish_reason, run_id: plain.hogwild?.run_id };

report.unknown_model = await refusal(() => client.chat.completions.create({ ...ask, model: 'gpt-4o' }));
report.two_choices = await refusal(() => client.chat.completions.create({ ...ask, n: 2 }));
const stranger = new OpenAI({ baseURL: `${GATEWAY_URL}/v1`, apiKey: 'not-a-key', maxRetries: 0 });
report.wrong_key = await refusal(() => stranger.models.list());

console.log(JSON.stringify(report));
