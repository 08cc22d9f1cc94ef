// ESLint rule: a relative import must stay inside the package of the importing file.
// Another package is reached only through its public API (`@codex-team/<name>`); reaching into the
// repository (../../tools, ../../profiles) from package code is also refused.
'use strict';
const path = require('node:path');

const packagesDir = path.resolve(__dirname, '../../packages');

/** The package folder that holds `file`, or undefined outside packages/. */
function packageRootOf(file) {
  const relative = path.relative(packagesDir, path.resolve(file));
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const name = relative.split(path.sep)[0];
  return name ? path.join(packagesDir, name) : undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
module.exports = {
  meta: {
    type: 'problem',
    docs: { description: 'forbid relative imports that leave the importing package' },
    messages: {
      escape:
        'Relative import "{{source}}" leaves package {{pkg}}: import another package as @codex-team/<name>.',
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const pkgRoot = packageRootOf(file);
    if (!pkgRoot) return {};
    function check(node, source) {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), source);
      const inside = path.relative(pkgRoot, target);
      if (inside.startsWith('..') || path.isAbsolute(inside)) {
        context.report({ node, messageId: 'escape', data: { source, pkg: path.basename(pkgRoot) } });
      }
    }
    const fromSource = (node) => node.source && check(node.source, node.source.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      TSImportEqualsDeclaration: (node) =>
        node.moduleReference.type === 'TSExternalModuleReference' &&
        check(node.moduleReference, node.moduleReference.expression.value),
      CallExpression: (node) => {
        const [arg] = node.arguments;
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && arg && arg.type === 'Literal') {
          check(arg, arg.value);
        }
      },
    };
  },
};
