// Drives /v1/audio/* of qwen-local (directly or through the gateway) with the official openai npm SDK.
// Usage: BASE_URL=http://127.0.0.1:8081/v1 API_KEY=... SPEECH_MODEL=espeak [TRANSCRIBE_MODEL=whisper] node clients/audio.mjs
// With TRANSCRIBE_MODEL set it also sends the speech back through audio.transcriptions.create in every response_format.
import OpenAI, { toFile } from 'openai';
import { check, steps } from './steps.mjs';

const baseURL = process.env.BASE_URL;
const apiKey = process.env.API_KEY ?? 'unused';
const speechModel = process.env.SPEECH_MODEL ?? 'espeak';
const transcribeModel = process.env.TRANSCRIBE_MODEL;
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

if (transcribeModel) {
  const spoken = Buffer.from(await (await client.audio.speech.create({ model: speechModel, voice: 'alloy',
    input: 'Hello world. This is a test of the transcription endpoint.', response_format: 'mp3' })).arrayBuffer());
  const file = () => toFile(spoken, 'speech.mp3', { type: 'audio/mpeg' });
  const stamp = /^\d{2}:\d{2}:\d{2}[,.]\d{3} --> \d{2}:\d{2}:\d{2}[,.]\d{3}$/m;

  await step('transcription json', async () => {
    const t = await client.audio.transcriptions.create({ model: transcribeModel, file: await file() });
    check(typeof t.text === 'string' && t.text.length > 0, `text ${JSON.stringify(t.text)}`);
    check(t.usage?.type === 'duration' && t.usage.seconds >= 1, `usage ${JSON.stringify(t.usage)}`);
  });
  await step('transcription text', async () => {
    const t = await client.audio.transcriptions.create({ model: transcribeModel, file: await file(), response_format: 'text' });
    check(typeof t === 'string' && t.trim().length > 0, `text ${JSON.stringify(t)}`);
  });
  await step('transcription srt', async () => {
    const t = await client.audio.transcriptions.create({ model: transcribeModel, file: await file(), response_format: 'srt' });
    check(typeof t === 'string' && t.startsWith('1\n') && stamp.test(t) && t.includes(','), `srt ${JSON.stringify(t)}`);
  });
  await step('transcription vtt', async () => {
    const t = await client.audio.transcriptions.create({ model: transcribeModel, file: await file(), response_format: 'vtt' });
    check(typeof t === 'string' && t.startsWith('WEBVTT') && stamp.test(t), `vtt ${JSON.stringify(t)}`);
  });
  await step('transcription verbose_json', async () => {
    const t = await client.audio.transcriptions.create({ model: transcribeModel, file: await file(),
      response_format: 'verbose_json', timestamp_granularities: ['segment'], language: 'en', prompt: 'A test.', temperature: 0 });
    check(t.language === 'en' && t.duration > 1, `language ${t.language}, duration ${t.duration}`);
    check(t.segments.length > 0, 'no segments');
    for (let i = 1; i < t.segments.length; i++) check(t.segments[i].start >= t.segments[i - 1].start, 'segments out of order');
  });
  await step('transcription words', async () => {
    const t = await client.audio.transcriptions.create({ model: transcribeModel, file: await file(),
      response_format: 'verbose_json', timestamp_granularities: ['word', 'segment'] });
    check(t.words?.length > 0 && t.segments?.length > 0, `words ${JSON.stringify(t.words)}, segments ${t.segments?.length}`);
    for (let i = 0; i < t.words.length; i++) {
      const w = t.words[i];
      check(typeof w.word === 'string' && w.end >= w.start && w.end <= t.duration, `word ${JSON.stringify(w)}`);
      if (i > 0) check(w.start >= t.words[i - 1].end, 'words out of order');
    }
    check(t.words.map(w => w.word).join(' ') === t.text.trim().split(/\s+/).join(' '), `words vs text ${JSON.stringify(t.text)}`);
  });
  await step('transcription stream', async () => {
    const stream = await client.audio.transcriptions.create({ model: transcribeModel, file: await file(), stream: true });
    let text = '', done = null;
    for await (const e of stream) {
      if (e.type === 'transcript.text.delta') text += e.delta;
      if (e.type === 'transcript.text.done') done = e;
    }
    check(done !== null, 'no transcript.text.done');
    check(done.text === text.trim(), `done.text ${JSON.stringify(done.text)} vs deltas ${JSON.stringify(text)}`);
  });
  await step('translation', async () => {
    const t = await client.audio.translations.create({ model: transcribeModel, file: await file() });
    check(typeof t.text === 'string' && t.text.length > 0, `text ${JSON.stringify(t.text)}`);
  });
  await step('transcription of a speech model is a 400', async () => {
    try {
      await client.audio.transcriptions.create({ model: speechModel, file: await file() });
      throw new Error('no error');
    } catch (e) {
      check(e instanceof OpenAI.BadRequestError && /wrong capability/.test(e.message), `got ${e.constructor.name}: ${e.message}`);
    }
  });
}

finish();
