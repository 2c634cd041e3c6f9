// A Dockerfile as its instructions, enough for the tests to read what the image does: comments and the parser
// directive dropped, continuation lines joined, each instruction's keyword upper-cased and its arguments as written.
export interface DockerfileInstruction {
  keyword: string;
  args: string;
}

export function dockerfileInstructions(text: string): DockerfileInstruction[] {
  const logical = text
    .split("\n")
    .filter((line) => !/^\s*#/.test(line))
    .join("\n")
    .replace(/\\\n/g, " ");
  return logical
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}
