// Drives a running tailgate gateway in front of a REAL model (qwen-local) with the official openai npm SDK.
// Unlike conformance.mjs (whose fake upstream echoes the prompt), nothing here assumes what the model says:
// it checks the protocol — aliases, ordered deltas that add up to the non-streamed text, usage, finish reasons,
// embeddings encodings and the error classes the SDK raises.
// Usage: BASE_URL=http://127.0.0.1:8080/v1 API_KEY=tg-... node clients/conformance-real.mjs
// Optional: CHAT_MODEL (default qwen), EMBED_MODEL (default embed),
//           UNAVAILABLE_MODEL (a model whose local file is missing: expect 503 + Retry-After naming the pull command).
import OpenAI from 'openai';
import { check, steps } from './steps.mjs';

const baseURL = process.env.BASE_URL;
const apiKey = process.env.API_KEY;
const chatModel = process.env.CHAT_MODEL ?? 'qwen';
const embedModel = process.env.EMBED_MODEL ?? 'embed';
const unavailableModel = process.env.UNAVAILABLE_MODEL;
if (!baseURL || !apiKey) {
  console.error('conformance-real: set BASE_URL and API_KEY');
  process.exit(2);
}

const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });
const { step, finish } = steps('conformance-real');

const seeded = { model: chatModel, messages: [{ role: 'user', content: 'tell me a story' }], max_tokens: 16, temperature: 0.9, seed: 4242 };
let nonStreamText = null;

await step('models.list', async () => {
  const ids = [];
  for await (const m of client.models.list()) {
    check(m.object === 'model', `model object is ${m.object}`);
    ids.push(m.id);
  }
  check(ids.includes(chatModel) && ids.includes(embedModel), `models.list lacks ${chatModel}/${embedModel}: ${ids}`);
});

await step('chat non-stream (alias, usage, finish_reason)', async () => {
  const c = await client.chat.completions.create(seeded);
  check(c.model === chatModel, `model is ${c.model}, expected the alias ${chatModel}`);
  check(c.object === 'chat.completion', `object ${c.object}`);
  nonStreamText = c.choices[0].message.content;
  check(typeof nonStreamText === 'string' && nonStreamText.length > 0, 'empty content');
  check(['stop', 'length'].includes(c.choices[0].finish_reason), `finish_reason ${c.choices[0].finish_reason}`);
  check(c.usage && c.usage.completion_tokens >= 1 && c.usage.completion_tokens <= 16, `usage ${JSON.stringify(c.usage)}`);
  check(c.usage.total_tokens === c.usage.prompt_tokens + c.usage.completion_tokens, 'total != prompt + completion');
});

await step('chat stream (alias on every chunk, deltas = non-stream text, usage)', async () => {
  const stream = await client.chat.completions.create({ ...seeded, stream: true, stream_options: { include_usage: true } });
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
  check(text === nonStreamText, `stream "${text}" differs from non-stream "${nonStreamText}" for the same seed`);
  check(['stop', 'length'].includes(finish), `finish_reason ${finish}`);
  check(usage && usage.completion_tokens >= 1, 'no usage chunk with stream_options.include_usage');
});

await step('max_tokens -> finish_reason length with exactly that many tokens', async () => {
  const c = await client.chat.completions.create({ model: chatModel, messages: [{ role: 'user', content: 'count' }], max_tokens: 3, temperature: 0 });
  check(c.choices[0].finish_reason === 'length', `finish_reason ${c.choices[0].finish_reason}`);
  check(c.usage.completion_tokens === 3, `completion_tokens ${c.usage.completion_tokens}`);
});

await step('embeddings default (SDK asks base64, decodes) and float agree', async () => {
  const input = ['cat', 'kitten', 'car'];
  const def = await client.embeddings.create({ model: embedModel, input });
  const flt = await client.embeddings.create({ model: embedModel, input, encoding_format: 'float' });
  check(def.model === embedModel && flt.model === embedModel, 'model not the alias');
  check(def.data.length === 3 && flt.data.length === 3, 'not three vectors');
  for (let k = 0; k < 3; k++) {
    const a = Array.from(def.data[k].embedding);
    const b = flt.data[k].embedding;
    check(Array.isArray(b) && b.length === 384, `float embedding length ${b?.length}`);
    check(a.length === b.length, `lengths differ ${a.length} vs ${b.length}`);
    for (let i = 0; i < a.length; i++) check(a[i] === Math.fround(b[i]), `vector ${k} component ${i}: base64 ${a[i]} vs float ${b[i]}`);
  }
  const cos = (x, y) => {
    let d = 0, nx = 0, ny = 0;
    for (let i = 0; i < x.length; i++) { d += x[i] * y[i]; nx += x[i] * x[i]; ny += y[i] * y[i]; }
    return d / Math.sqrt(nx * ny);
  };
  const [cat, kitten, car] = flt.data.map((d) => d.embedding);
  check(cos(cat, kitten) > cos(cat, car), 'cat is not closer to kitten than to car');
});

await step('bad key -> AuthenticationError', async () => {
  const bad = new OpenAI({ baseURL, apiKey: 'definitely-not-a-key', maxRetries: 0 });
  try {
    await bad.models.list();
    throw new Error('no error for a bad key');
  } catch (e) {
    check(e instanceof OpenAI.AuthenticationError, `got ${e?.constructor?.name}: ${e?.message}`);
  }
});

await step('unknown model -> NotFoundError', async () => {
  try {
    await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] });
    throw new Error('no error for an unknown model');
  } catch (e) {
    check(e instanceof OpenAI.NotFoundError, `got ${e?.constructor?.name}: ${e?.message}`);
  }
});

if (unavailableModel) {
  await step('model file missing -> 503 model_unavailable naming the pull command, no Retry-After (needs the operator)', async () => {
    for (const stream of [false, true]) {
      try {
        await client.chat.completions.create({ model: unavailableModel, messages: [{ role: 'user', content: 'x' }], stream });
        throw new Error('no error for a model whose file is missing');
      } catch (e) {
        check(e instanceof OpenAI.APIError, `got ${e?.constructor?.name}: ${e?.message}`);
        check(e.status === 503, `status ${e.status}: ${e.message}`);
        check(e.code === 'model_unavailable', `code ${e.code}`);
        check(/models pull/.test(e.message), `message does not name the pull command: ${e.message}`);
        check(!e.headers?.get?.('retry-after'), 'a Retry-After on a refusal that needs the operator');
        check(e.headers?.get?.('x-should-retry') === 'false', 'no x-should-retry: false');
      }
    }
  });
}

finish();
