// The stock `openai` npm client through runScenario (see scenario.mjs).
// Usage: node openai.mjs <base-url> '<json args>'
import OpenAI from "openai";
import { VERSION } from "openai/version";
import { parseArgs, runScenario } from "./scenario.mjs";

const args = parseArgs();
// No retries: a failure must show at once, not after the client's backoff.
const client = new OpenAI({ baseURL: args.baseURL, apiKey: "x", maxRetries: 0, timeout: 30_000 });
// ignore_eos (llama.cpp's, passed through as any extra field): random test weights must still say something.
const options = { max_tokens: 8, seed: 7, ignore_eos: true };

await runScenario({
  version: VERSION,
  streamWarmUp: true,
  async chat(model, messages) {
    const completion = await client.chat.completions.create({ model, messages, ...options });
    return { text: completion.choices[0].message.content, model: completion.model };
  },
  async stream(model, messages) {
    const stream = await client.chat.completions.create({ model, messages, ...options, stream: true });
    let text = "";
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? "";
    }
    return { text, chunks };
  },
  async embed(model, input) {
    // The client asks for base64 (its default) and decodes it.
    const list = await client.embeddings.create({ model, input });
    return { count: list.data.length, dimensions: list.data[0]?.embedding.length ?? 0, model: list.model };
  },
}, args);
