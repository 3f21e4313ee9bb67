// The official openai SDK's chat tool helpers against qwen-local (BASE_URL): runTools (non-stream and stream) must
// parse our tool calls, run the function and send its result back; the stream helper must rebuild a call from our
// deltas. Models: TINY_MODEL (random weights: tool_choice forces the call), CALLER_MODEL (always answers with a call).
import OpenAI from 'openai';
import { check, steps } from './steps.mjs';

const client = new OpenAI({ baseURL: process.env.BASE_URL, apiKey: process.env.API_KEY ?? 'unused', maxRetries: 0 });
const tiny = process.env.TINY_MODEL;
const caller = process.env.CALLER_MODEL;
const parameters = {
  type: 'object',
  properties: { city: { type: 'string', enum: ['Oslo', 'Rome', 'Lima'] }, days: { type: 'integer', minimum: 1, maximum: 9 } },
  required: ['city', 'days'],
  additionalProperties: false,
};
const seen = [];
const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters,
    parse: JSON.parse,
    function: (args) => { seen.push(args); return { sky: 'sunny', celsius: 21 }; },
  },
};
const named = { type: 'function', function: { name: 'get_weather' } };
const messages = [{ role: 'user', content: 'What is the weather in Oslo?' }];
const run = steps('tool-helpers');

await run.step('runTools parses a forced call, runs it and sends the result back', async () => {
  const before = seen.length;
  const runner = client.chat.completions.runTools({
    model: tiny, messages, tools: [weatherTool], tool_choice: named, max_tokens: 600, temperature: 0,
  });
  await runner.done();
  check(seen.length === before + 1, `the function ran once (ran ${seen.length - before} times)`);
  const args = seen.at(-1);
  check(['Oslo', 'Rome', 'Lima'].includes(args.city) && Number.isInteger(args.days), `arguments match the schema: ${JSON.stringify(args)}`);
  const toolMsg = runner.messages.find((m) => m.role === 'tool');
  check(toolMsg && JSON.parse(toolMsg.content).sky === 'sunny', 'the tool result is in the conversation');
});

await run.step('streaming runTools rebuilds the call from our deltas', async () => {
  const before = seen.length;
  const runner = client.chat.completions.runTools({
    model: tiny, messages, tools: [weatherTool], tool_choice: named, max_tokens: 600, temperature: 0, stream: true,
  });
  await runner.done();
  check(seen.length === before + 1, `the function ran once (ran ${seen.length - before} times)`);
  check(['Oslo', 'Rome', 'Lima'].includes(seen.at(-1).city), `streamed arguments parse: ${JSON.stringify(seen.at(-1))}`);
});

await run.step('the stream helper returns the call a model made on its own', async () => {
  const stream = client.chat.completions.stream({
    model: caller, messages, max_tokens: 200,
    tools: [{ type: 'function', function: { name: 'get_weather', parameters } }],
  });
  const completion = await stream.finalChatCompletion();
  const choice = completion.choices[0];
  check(choice.finish_reason === 'tool_calls', `finish_reason ${choice.finish_reason}`);
  const call = choice.message.tool_calls?.[0];
  check(call?.function?.name === 'get_weather', `a get_weather call: ${JSON.stringify(choice.message)}`);
  const args = JSON.parse(call.function.arguments);
  check(args.city === 'Oslo' && args.days === 3, `its arguments: ${call.function.arguments}`);
  check(!String(choice.message.content ?? '').includes('<tool_call>'), 'no markup in the content');
});

run.finish();
