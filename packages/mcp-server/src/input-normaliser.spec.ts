import { findInputProblem, hasLoneSurrogate } from './input-normaliser';

describe('the input normaliser', () => {
  it('finds own __proto__, constructor and prototype keys at any depth, naming the field', () => {
    expect(findInputProblem(JSON.parse('{"name":"x","__proto__":{"a":1}}'))).toMatchObject({ rule: 'input:forbidden-key', field: '__proto__' });
    expect(findInputProblem({ tasks: [{ title: 'a' }, { title: 'b', constructor: 1 }] })).toMatchObject({ field: 'tasks.1.constructor' });
    expect(findInputProblem({ a: { b: [{ prototype: null }] } })).toMatchObject({ field: 'a.b.0.prototype' });
  });

  it('finds lone surrogates in strings and keys, and accepts well-formed astral text', () => {
    expect(findInputProblem({ tasks: [{ title: 'ok' }, { title: 'bad \uD800' }] })).toMatchObject({ rule: 'input:lone-surrogate', field: 'tasks.1.title' });
    expect(findInputProblem({ body: '\uDC00 first' })).toMatchObject({ field: 'body' });
    expect(findInputProblem({ tasks: [{ ['k\uDBFF']: 1 }] })).toMatchObject({ rule: 'input:lone-surrogate', field: 'tasks.0' });
    expect(findInputProblem({ body: 'rocket \u{1F680}, clef \u{1D11E}', n: 3, ok: true, none: null })).toBeNull();
    expect(hasLoneSurrogate('\uD83D\uDE80')).toBe(false);
    expect(hasLoneSurrogate('\uDE80\uD83D')).toBe(true);
  });

  it('reports the first problem in the order of the text', () => {
    expect(findInputProblem({ a: 'x\uD800', b: JSON.parse('{"__proto__":1}') as unknown })).toMatchObject({ field: 'a' });
    expect(findInputProblem('\uD800')).toMatchObject({ field: '(arguments)' });
  });
});
