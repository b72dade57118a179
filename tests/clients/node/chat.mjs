// One non-streamed and one streamed chat through the stock `openai` npm client; prints a JSON summary on stdout.
// Usage: node chat.mjs <base-url> <model>   (or NEXA_BASE_URL / NEXA_MODEL; the key is OPENAI_API_KEY, default "x")
import OpenAI from "openai";
import { VERSION } from "openai/version";

const baseURL = process.argv[2] ?? process.env.NEXA_BASE_URL;
const model = process.argv[3] ?? process.env.NEXA_MODEL;
if (!baseURL || !model) {
  console.error("usage: node chat.mjs <base-url, e.g. http://127.0.0.1:18181/v1> <model>");
  process.exit(2);
}

// No retries: a failure must show at once, not after the client's backoff.
const client = new OpenAI({ baseURL, apiKey: process.env.OPENAI_API_KEY ?? "x", maxRetries: 0, timeout: 30_000 });
const request = { model, messages: [{ role: "user", content: "Hello!" }], max_tokens: 16, seed: 7 };

const completion = await client.chat.completions.create(request);
const choice = completion.choices[0];

const stream = await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
let chunks = 0;
let role = null;
let content = "";
let finishReason = null;
let usage = null;
let id = null;
for await (const chunk of stream) {
  chunks++;
  id ??= chunk.id;
  usage = chunk.usage ?? usage;
  for (const c of chunk.choices) {
    role ??= c.delta?.role ?? null;
    content += c.delta?.content ?? "";
    finishReason = c.finish_reason ?? finishReason;
  }
}

console.log(JSON.stringify({
  client: VERSION,
  completion: {
    id: completion.id,
    object: completion.object,
    model: completion.model,
    role: choice.message.role,
    content: choice.message.content,
    finish_reason: choice.finish_reason,
    usage: completion.usage,
  },
  stream: { id, chunks, role, content, finish_reason: finishReason, usage },
}));
