// Drives /v1/audio/* of qwen-local (directly or through the gateway) with the official openai npm SDK.
// Usage: BASE_URL=http://127.0.0.1:8081/v1 API_KEY=... SPEECH_MODEL=espeak node clients/audio.mjs
import OpenAI from 'openai';
import { check, steps } from './steps.mjs';

const baseURL = process.env.BASE_URL;
const apiKey = process.env.API_KEY ?? 'unused';
const speechModel = process.env.SPEECH_MODEL ?? 'espeak';
if (!baseURL) {
  console.error('audio: set BASE_URL (and API_KEY for the gateway)');
  process.exit(2);
}

const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });
const { step, finish } = steps('audio');

await step('speech wav, whole', async () => {
  const r = await client.audio.speech.create({ model: speechModel, voice: 'alloy', input: 'hello world', response_format: 'wav' });
  check(r.headers.get('content-type') === 'audio/wav', `content-type ${r.headers.get('content-type')}`);
  const wav = Buffer.from(await r.arrayBuffer());
  check(wav.subarray(0, 4).toString('latin1') === 'RIFF', 'no RIFF header');
  check(wav.readUInt32LE(4) === wav.length - 8, `RIFF size ${wav.readUInt32LE(4)} for ${wav.length} bytes`);
  check(wav.readUInt32LE(24) === 24000, `sample rate ${wav.readUInt32LE(24)}`);
  check(wav.length > 24000, `only ${wav.length} bytes of audio`);
});

await step('speech mp3, streamed body', async () => {
  const r = await client.audio.speech.create({ model: speechModel, voice: 'nova', input: 'Hello world. This answer is streamed.' });
  check(r.headers.get('content-type') === 'audio/mpeg', `content-type ${r.headers.get('content-type')}`);
  let chunks = 0, bytes = 0, first = null;
  for await (const chunk of r.body) {
    if (first === null) first = Buffer.from(chunk);
    chunks++;
    bytes += chunk.length;
  }
  check(bytes > 2000, `only ${bytes} bytes`);
  check(first[0] === 0xff || first.subarray(0, 3).toString('latin1') === 'ID3', 'does not start like an mp3');
});

await step('speech sse', async () => {
  const r = await client.audio.speech.create({ model: speechModel, voice: 'echo', input: 'hello world',
    stream_format: 'sse', response_format: 'pcm' });
  let deltas = 0, audio = 0, done = false;
  for (const line of (await r.text()).split('\n')) {
    if (!line.startsWith('data: ')) continue;
    const e = JSON.parse(line.slice(6));
    check(!done, 'event after speech.audio.done');
    if (e.type === 'speech.audio.delta') { deltas++; audio += Buffer.from(e.audio, 'base64').length; }
    else if (e.type === 'speech.audio.done') { done = true; check(typeof e.usage?.input_tokens === 'number', 'done without usage'); }
    else throw new Error(`unexpected event ${e.type}`);
  }
  check(done, 'no speech.audio.done');
  check(deltas > 1, `${deltas} delta events`);
  check(audio > 24000, `${audio} bytes of pcm`);
});

await step('speech bad voice is a 400 naming the voice', async () => {
  try {
    await client.audio.speech.create({ model: speechModel, voice: 'nobody', input: 'x' });
    throw new Error('no error');
  } catch (e) {
    check(e instanceof OpenAI.BadRequestError, `got ${e.constructor.name}: ${e.message}`);
    check(e.param === 'voice', `param ${e.param}`);
  }
});

finish();
