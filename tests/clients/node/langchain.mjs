// LangChain's ChatOpenAI (@langchain/openai) through runScenario (see scenario.mjs).
// Usage: node langchain.mjs <base-url> '<json args>'
import { readFileSync } from "node:fs";
import { ChatOpenAI, OpenAIEmbeddings } from "@langchain/openai";
import { parseArgs, runScenario } from "./scenario.mjs";

const args = parseArgs();
const version = JSON.parse(readFileSync(new URL("./node_modules/@langchain/openai/package.json", import.meta.url))).version;

function chatModel(model) {
  return new ChatOpenAI({
    model,
    apiKey: "x",
    configuration: { baseURL: args.baseURL },
    maxRetries: 0,
    timeout: 30_000,
    maxTokens: 8,
    // ignore_eos (llama.cpp's): random test weights must still say something.
    modelKwargs: { seed: 7, ignore_eos: true },
  });
}

await runScenario({
  version,
  async chat(model, messages) {
    const answer = await chatModel(model).invoke(messages.map(m => [m.role, m.content]));
    return { text: answer.content, model: answer.response_metadata?.model_name ?? null };
  },
  async stream(model, messages) {
    let text = "";
    let chunks = 0;
    for await (const chunk of await chatModel(model).stream(messages.map(m => [m.role, m.content]))) {
      chunks++;
      text += chunk.content;
    }
    return { text, chunks };
  },
  async embed(model, input) {
    const embeddings = new OpenAIEmbeddings({ model, apiKey: "x", configuration: { baseURL: args.baseURL }, maxRetries: 0 });
    const vectors = await embeddings.embedDocuments(input);
    return { count: vectors.length, dimensions: vectors[0]?.length ?? 0 };
  },
}, args);
