import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDagFile } from './dag-file';

describe('readDagFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dag-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads YAML and JSON, as {tasks} or as the list alone, with the contract defaults applied', () => {
    const yaml = readDagFile(file('dag.yaml', 'tasks:\n  - {key: a, title: First}\n  - {key: b, title: Second, depends_on: [a], required_role: tester}\n'));
    const json = readDagFile(file('dag.json', JSON.stringify([{ key: 'a', title: 'First' }, { key: 'b', title: 'Second', depends_on: ['a'], required_role: 'tester' }])));
    expect(yaml).toEqual(json);
    expect(yaml.tasks[0]).toEqual({ key: 'a', title: 'First', description: '', priority: 0, depends_on: [] });
  });

  it('refuses what the contract refuses, naming where', () => {
    expect(() => readDagFile(file('bad.yaml', 'tasks:\n  - {key: a}\n'))).toThrow(/INVALID_INPUT.*tasks\.0\.title/);
    expect(() => readDagFile(file('extra.yaml', 'tasks:\n  - {title: A, owner: me}\n'))).toThrow(/INVALID_INPUT/);
    expect(() => readDagFile(file('empty.yaml', 'tasks: []\n'))).toThrow(/INVALID_INPUT/);
  });

  it('refuses a dependency on a key the file does not have, and text that is not YAML', () => {
    expect(() => readDagFile(file('dangling.yaml', 'tasks:\n  - {key: a, title: A, depends_on: [zz]}\n'))).toThrow(/depends on "zz"/);
    expect(() => readDagFile(file('broken.yaml', 'tasks: [\n'))).toThrow(/neither YAML nor JSON/);
    expect(() => readDagFile(join(dir, 'missing.yaml'))).toThrow(/NOT_FOUND.*: no such file or folder \(ENOENT\)$/);
  });

  it('says a folder is not a file, and ends the parser\'s one line without the colon that led into its code frame', () => {
    expect(() => readDagFile(dir)).toThrow(/FILE_ACCESS: cannot read the DAG file .*: it is a folder \(EISDIR\)$/);
    expect(() => readDagFile(file('open.yaml', 'tasks:\n  - {key: a, title: A\n'))).toThrow(/neither YAML nor JSON: .*line \d+, column \d+$/);
  });
});
