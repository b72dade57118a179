// Tool calls with the stock `openai` npm client: a required call, whole and streamed (the client's own delta
// accumulation through `.stream()`), then the round trip (the call and its result sent back).
// Usage: node tools.mjs <base-url> '{"model": "..."}'
import OpenAI from "openai";
import { VERSION } from "openai/version";

const baseURL = process.argv[2];
const { model } = JSON.parse(process.argv[3]);
const client = new OpenAI({ baseURL, apiKey: "x", maxRetries: 0, timeout: 60_000 });
const tools = [{
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather of a city.",
    parameters: { type: "object", properties: { city: { type: "string", maxLength: 12 } }, required: ["city"], additionalProperties: false },
  },
}];
const messages = [{ role: "user", content: "What is the weather in Paris?" }];
const ask = { model, messages, tools, tool_choice: "required", parallel_tool_calls: false, seed: 3, max_tokens: 60 };

const whole = await client.chat.completions.create(ask);
const choice = whole.choices[0];

const runner = client.chat.completions.stream({ ...ask, seed: 4 });
let chunks = 0;
runner.on("chunk", () => chunks++);
const streamed = await runner.finalChatCompletion();

const call = choice.message.tool_calls?.[0];
const followUp = await client.chat.completions.create({
  model,
  tools,
  seed: 5,
  max_tokens: 8,
  messages: [
    ...messages,
    choice.message,
    { role: "tool", tool_call_id: call?.id ?? "none", content: JSON.stringify({ sky: "clear", celsius: 21 }) },
  ],
});

const summary = (c) => ({
  finish: c.choices[0].finish_reason,
  content: c.choices[0].message.content,
  calls: (c.choices[0].message.tool_calls ?? []).map((t) => ({ id: t.id, type: t.type, name: t.function.name, arguments: t.function.arguments })),
});
console.log(JSON.stringify({
  client: VERSION,
  whole: summary(whole),
  streamed: { ...summary(streamed), chunks },
  followUp: { finish: followUp.choices[0].finish_reason, promptTokens: followUp.usage.prompt_tokens, firstPromptTokens: whole.usage.prompt_tokens },
}));
