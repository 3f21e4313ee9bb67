// Drives a running tailgate gateway with the official openai npm SDK and fails loudly on any mismatch.
// Usage: BASE_URL=http://127.0.0.1:8080/v1 API_KEY=tg-... node clients/conformance.mjs
// Optional: CHAT_MODEL (default qwen), EMBED_MODEL (default embed), BROKEN_MODEL (a model whose stream breaks midway).
import OpenAI from 'openai';
import { check, steps } from './steps.mjs';

const baseURL = process.env.BASE_URL;
const apiKey = process.env.API_KEY;
const chatModel = process.env.CHAT_MODEL ?? 'qwen';
const embedModel = process.env.EMBED_MODEL ?? 'embed';
const brokenModel = process.env.BROKEN_MODEL;
if (!baseURL || !apiKey) {
  console.error('conformance: set BASE_URL and API_KEY');
  process.exit(2);
}

const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 30_000 });
const { step, finish } = steps('conformance');

await step('models.list', async () => {
  const ids = [];
  for await (const m of client.models.list()) {
    check(m.object === 'model', `model object is ${m.object}`);
    check(typeof m.created === 'number', 'created is not a number');
    ids.push(m.id);
  }
  check(ids.includes(chatModel), `models.list lacks ${chatModel}: ${ids}`);
});

await step('chat non-stream', async () => {
  const c = await client.chat.completions.create({
    model: chatModel,
    messages: [{ role: 'user', content: 'hello node' }],
  });
  check(c.model === chatModel, `model is ${c.model}, expected the alias ${chatModel}`);
  const text = c.choices[0].message.content;
  check(typeof text === 'string' && text.length > 0, 'empty content');
  check(c.usage && c.usage.total_tokens > 0, 'no usage');
});

await step('chat stream (ordered deltas + usage)', async () => {
  const stream = await client.chat.completions.create({
    model: chatModel,
    messages: [{ role: 'user', content: 'one two three four five' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let deltas = 0;
  let usage = null;
  let finish = null;
  for await (const chunk of stream) {
    check(chunk.model === chatModel, `chunk model is ${chunk.model}`);
    for (const ch of chunk.choices) {
      if (ch.delta?.content) {
        text += ch.delta.content;
        deltas++;
      }
      if (ch.finish_reason) finish = ch.finish_reason;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  check(deltas > 1, `expected several deltas, got ${deltas}`);
  check(text.includes('one two three four five'), `deltas out of order or missing: "${text}"`);
  check(finish === 'stop', `finish_reason ${finish}`);
  check(usage && usage.total_tokens > 0, 'no usage chunk with stream_options.include_usage');
});

await step('embeddings default (SDK asks base64, decodes) and float agree', async () => {
  const input = 'vectors please';
  const def = await client.embeddings.create({ model: embedModel, input });
  const flt = await client.embeddings.create({ model: embedModel, input, encoding_format: 'float' });
  check(def.model === embedModel && flt.model === embedModel, 'model not the alias');
  const a = Array.from(def.data[0].embedding);
  const b = flt.data[0].embedding;
  check(Array.isArray(b) && b.length > 0, 'float embedding is not an array');
  check(a.length === b.length, `lengths differ ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    check(a[i] === Math.fround(b[i]), `component ${i}: base64 ${a[i]} vs float ${b[i]}`);
  }
});

await step('bad key -> AuthenticationError', async () => {
  const bad = new OpenAI({ baseURL, apiKey: 'definitely-not-a-key', maxRetries: 0 });
  try {
    await bad.models.list();
    throw new Error('no error for a bad key');
  } catch (e) {
    check(e instanceof OpenAI.AuthenticationError, `got ${e?.constructor?.name}: ${e?.message}`);
    check(e.status === 401, `status ${e.status}`);
  }
});

await step('unknown model -> NotFoundError', async () => {
  try {
    await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] });
    throw new Error('no error for an unknown model');
  } catch (e) {
    check(e instanceof OpenAI.NotFoundError, `got ${e?.constructor?.name}: ${e?.message}`);
    check(e.error?.code === 'model_not_found' || e.code === 'model_not_found', `code ${e.code}`);
  }
});

if (brokenModel) {
  await step('stream broken midway -> APIError, not a silent end', async () => {
    const stream = await client.chat.completions.create({
      model: brokenModel, messages: [{ role: 'user', content: 'x' }], stream: true,
    });
    let got = 0;
    try {
      for await (const chunk of stream) got += chunk.choices.length;
      throw new Error('stream ended without an error');
    } catch (e) {
      check(e instanceof OpenAI.APIError, `got ${e?.constructor?.name}: ${e?.message}`);
    }
    check(got > 0, 'no chunk before the error');
  });
}

finish();
