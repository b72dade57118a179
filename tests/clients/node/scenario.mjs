// The checks every client family runs against nexa serve (issue: what stock clients trip over). Each family's
// script adapts its client to { version, chat, stream } and calls runScenario; one JSON summary goes to stdout.
//
//   chat(model, messages)   -> { text, model }      one non-streamed answer
//   stream(model, messages) -> { text, chunks }     one streamed answer
//   embed(model, inputs)    -> { count }            optional: embeddings
//   streamWarmUp: true                              the client can send a chat without messages
//
// A step that throws is recorded as { ok: false, status, error } so the test can assert on refusals too.

export function parseArgs() {
  const [baseURL, json] = process.argv.slice(2);
  if (!baseURL || !json) {
    console.error("usage: node <family>.mjs <base-url, e.g. http://127.0.0.1:18181/v1> '<json: {model, variant, alias, missing, embedAlias?}>'");
    process.exit(2);
  }
  return { baseURL, ...JSON.parse(json) };
}

const system = [{ role: "system", content: "Write a haiku about the sea." }];
const user = [{ role: "user", content: "Hello!" }];

export async function runScenario(client, args) {
  const summary = { client: client.version };
  // A system prompt alone is an ordinary chat: it answers text, plain and streamed.
  summary.systemOnly = await attempt(() => client.chat(args.model, system));
  summary.systemOnlyStream = await attempt(() => client.stream(args.model, system));
  // Hugging Face repo ids ignore case, and so does nexa.
  summary.caseVariant = await attempt(() => client.chat(args.variant, user));
  // A fixed name the tool sends, mapped by nexa serve --alias.
  summary.alias = await attempt(() => client.chat(args.alias, user));
  summary.aliasStream = await attempt(() => client.stream(args.alias, user));
  // A warm-up (no messages) asked to stream: an event stream without choices, which the client reads as no text.
  if (client.streamWarmUp)
    summary.warmUpStream = await attempt(() => client.stream(args.model, []));
  // A typo: 404 with the nearest pulled names.
  summary.missing = await attempt(() => client.chat(args.missing, user));
  if (args.embedAlias && client.embed) {
    summary.embed = await attempt(() => client.embed(args.embedAlias, ["Hello, world!", "Goodbye"]));
    summary.embedNothing = await attempt(() => client.embed(args.embedAlias, []));
  }
  console.log(JSON.stringify(summary));
}

async function attempt(step) {
  try {
    return { ok: true, ...(await step()) };
  } catch (e) {
    return { ok: false, status: e?.status ?? e?.statusCode ?? null, error: String(e?.message ?? e) };
  }
}
