// Drives a running tailgate gateway's /v1/messages with the official @anthropic-ai/sdk and fails loudly on any mismatch.
// Usage: BASE_URL=http://127.0.0.1:8080 API_KEY=tg-... MODEL=qwen BUSY_MODEL=busy node clients/anthropic-conformance.mjs
// The gateway's upstream must answer: a tool call to get_weather({"city":"Paris"}) when tools are offered and the last
// message is not a tool result (with reasoning when the prompt contains "think"), "It is sunny in Paris." after a tool
// result, "Hello from the gateway." otherwise; BUSY_MODEL must be refused with 429.
import Anthropic from '@anthropic-ai/sdk';
import { check, steps } from './steps.mjs';

const baseURL = process.env.BASE_URL;
const apiKey = process.env.API_KEY;
const model = process.env.MODEL ?? 'qwen';
const busyModel = process.env.BUSY_MODEL;
if (!baseURL || !apiKey) {
  console.error('anthropic-conformance: set BASE_URL and API_KEY');
  process.exit(2);
}

const client = new Anthropic({ baseURL, apiKey, maxRetries: 0, timeout: 30_000 });
const { step, finish } = steps('anthropic');
const weather = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

await step('messages.create (text)', async () => {
  const msg = await client.messages.create({
    model, max_tokens: 256, system: 'Be brief.', messages: [{ role: 'user', content: 'Say hello.' }],
  });
  check(msg.type === 'message' && msg.role === 'assistant', `not a message: ${JSON.stringify(msg)}`);
  check(msg.model === model, `model is ${msg.model}, expected the alias ${model}`);
  check(msg.content.length === 1 && msg.content[0].type === 'text', `content: ${JSON.stringify(msg.content)}`);
  check(msg.content[0].text === 'Hello from the gateway.', `text: ${msg.content[0].text}`);
  check(msg.stop_reason === 'end_turn', `stop_reason ${msg.stop_reason}`);
  check(msg.usage.input_tokens === 10 && msg.usage.output_tokens === 5, `usage ${JSON.stringify(msg.usage)}`);
  check(msg.usage.cache_read_input_tokens === 0 && msg.usage.cache_creation_input_tokens === 0, 'cache fields are 0');
});

await step('messages.stream (text)', async () => {
  const stream = client.messages.stream({ model, max_tokens: 256, messages: [{ role: 'user', content: 'Say hello.' }] });
  let text = '';
  stream.on('text', (delta) => { text += delta; });
  const types = [];
  for await (const event of stream) types.push(event.type);
  const msg = await stream.finalMessage();
  check(text === 'Hello from the gateway.', `streamed text: ${text}`);
  check(msg.content[0].text === 'Hello from the gateway.', `final text: ${JSON.stringify(msg.content)}`);
  check(types[0] === 'message_start' && types[types.length - 1] === 'message_stop', `event order: ${types}`);
  check(msg.stop_reason === 'end_turn', `stop_reason ${msg.stop_reason}`);
  check(msg.usage.output_tokens === 5 && msg.usage.input_tokens === 10, `usage ${JSON.stringify(msg.usage)}`);
});

let toolUse;
await step('messages.stream (tool use)', async () => {
  const stream = client.messages.stream({
    model, max_tokens: 256, tools: [weather], tool_choice: { type: 'auto' },
    messages: [{ role: 'user', content: 'Weather in Paris?' }],
  });
  const jsonDeltas = [];
  stream.on('inputJson', (partial) => { jsonDeltas.push(partial); });
  const msg = await stream.finalMessage();
  check(msg.stop_reason === 'tool_use', `stop_reason ${msg.stop_reason}`);
  toolUse = msg.content.find((b) => b.type === 'tool_use');
  check(toolUse && toolUse.name === 'get_weather', `content: ${JSON.stringify(msg.content)}`);
  check(JSON.stringify(toolUse.input) === '{"city":"Paris"}', `input: ${JSON.stringify(toolUse.input)}`);
  check(jsonDeltas.length > 1, `input_json_delta fragments: ${jsonDeltas.length}`);
});

await step('messages.create (tool result round trip)', async () => {
  const msg = await client.messages.create({
    model, max_tokens: 256, tools: [weather],
    messages: [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: [toolUse] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: [{ type: 'text', text: '21°C, sunny' }] }] },
    ],
  });
  check(msg.content[0].text === 'It is sunny in Paris.', `content: ${JSON.stringify(msg.content)}`);
  check(msg.stop_reason === 'end_turn', `stop_reason ${msg.stop_reason}`);
});

await step('messages.stream (thinking)', async () => {
  const stream = client.messages.stream({
    model, max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, tools: [weather],
    messages: [{ role: 'user', content: 'think, then get the weather in Paris' }],
  });
  let thinking = '';
  stream.on('thinking', (delta) => { thinking += delta; });
  const msg = await stream.finalMessage();
  check(msg.content[0].type === 'thinking', `content: ${JSON.stringify(msg.content)}`);
  check(msg.content[0].thinking === 'Paris weather needs the tool.' && thinking === msg.content[0].thinking, `thinking: ${thinking}`);
  check(msg.content[1].type === 'tool_use', `second block: ${JSON.stringify(msg.content[1])}`);
});

await step('messages.countTokens', async () => {
  // 12 characters of text at 4 characters a token: the gateway's own estimate
  const count = await client.messages.countTokens({ model, system: 'abcd', messages: [{ role: 'user', content: 'efghijkl' }] });
  check(count.input_tokens === 3, `input_tokens ${count.input_tokens}`);
});

await step('401 → AuthenticationError', async () => {
  const bad = new Anthropic({ baseURL, apiKey: 'not-a-tailgate-key', maxRetries: 0 });
  try {
    await bad.messages.create({ model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
    check(false, 'no error');
  } catch (e) {
    check(e instanceof Anthropic.AuthenticationError, `got ${e?.constructor?.name}: ${e}`);
    check(e.error?.error?.type === 'authentication_error', `body: ${JSON.stringify(e.error)}`);
  }
});

await step('404 → NotFoundError', async () => {
  try {
    await client.messages.create({ model: 'no-such-model', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
    check(false, 'no error');
  } catch (e) {
    check(e instanceof Anthropic.NotFoundError, `got ${e?.constructor?.name}: ${e}`);
    check(e.error?.error?.type === 'not_found_error', `body: ${JSON.stringify(e.error)}`);
  }
});

if (busyModel) {
  await step('429 → RateLimitError with retry-after', async () => {
    try {
      await client.messages.create({ model: busyModel, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
      check(false, 'no error');
    } catch (e) {
      check(e instanceof Anthropic.RateLimitError, `got ${e?.constructor?.name}: ${e}`);
      check(e.error?.error?.type === 'rate_limit_error', `body: ${JSON.stringify(e.error)}`);
      check(e.headers?.get('retry-after'), 'retry-after header');
    }
  });
}

finish();
