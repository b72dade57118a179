// The Vercel AI SDK (`ai` with @ai-sdk/openai-compatible) through runScenario (see scenario.mjs).
// Usage: node ai-sdk.mjs <base-url> '<json args>'
import { readFileSync } from "node:fs";
import { embedMany, generateText, streamText } from "ai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { parseArgs, runScenario } from "./scenario.mjs";

const args = parseArgs();
const version = JSON.parse(readFileSync(new URL("./node_modules/ai/package.json", import.meta.url))).version;
const nexa = createOpenAICompatible({ name: "nexa", baseURL: args.baseURL, apiKey: "x", includeUsage: true });
// ignore_eos (llama.cpp's) travels in the provider's options: random test weights must still say something.
const options = { maxOutputTokens: 8, seed: 7, maxRetries: 0, providerOptions: { nexa: { ignore_eos: true } } };

await runScenario({
  version,
  async chat(model, messages) {
    const result = await generateText({ model: nexa.chatModel(model), messages, ...options });
    return { text: result.text, model: result.response.modelId };
  },
  async stream(model, messages) {
    let failure = null;
    const result = streamText({ model: nexa.chatModel(model), messages, ...options, onError: ({ error }) => { failure = error; } });
    let text = "";
    let chunks = 0;
    for await (const part of result.textStream) {
      chunks++;
      text += part;
    }
    if (failure)
      throw failure;
    return { text, chunks };
  },
  async embed(model, values) {
    const result = await embedMany({ model: nexa.textEmbeddingModel(model), values, maxRetries: 0 });
    return { count: result.embeddings.length, dimensions: result.embeddings[0]?.length ?? 0 };
  },
}, args);
