import * as assert from 'node:assert/strict';
import { declaredNames } from '../../src/index/declaredNames';
import { splitIdentifier, tokenizeCode } from '../../src/index/identifierTokens';

describe('index tokens', () => {
  it('splits camelCase, acronyms, snake_case and digits, keeping the whole identifier first (glue words like "by" dropped)', () => {
    assert.deepEqual(splitIdentifier('parseHTTPResponse2'), ['parse', 'HTTP', 'Response', '2']);
    assert.deepEqual(splitIdentifier('max_retry_count'), ['max', 'retry', 'count']);
    assert.deepEqual(tokenizeCode('const userId = getUserById(id);'), ['const', 'userid', 'user', 'id', 'getuserbyid', 'get', 'user', 'id', 'id']);
  });

  it('drops English glue words and one-letter words, keeps code words', () => {
    assert.deepEqual(tokenizeCode('Returns the value of x for a key'), ['returns', 'value', 'key']);
  });
});

describe('declaredNames', () => {
  const cases: [string, string[]][] = [
    ['export async function loadUser(id: string) {', ['loadUser']],
    ['export default class Router extends Base {', ['Router']],
    ['Router.prototype.route = function route(path) {', ['Router', 'route']],
    ['exports.send = function (body) {', ['send']],
    ['const fetchAll = async (urls) => {', ['fetchAll']],
    ['  toJSON: function () {', ['toJSON']],
    ['  async request(configOrUrl, config) {', ['request']],
    ['def parse_args(argv):', ['parse_args']],
    ['pub(crate) fn read_config(path: &Path) -> Result<Config> {', ['read_config']],
    ['func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {', ['ServeHTTP']],
    ['public static void main(String[] args) {', ['main']],
    ['interface Options {', ['Options']],
  ];
  for (const [line, names] of cases) it(`finds ${names.join(', ')} in: ${line}`, () => assert.deepEqual(declaredNames(line), names));

  it('sees no declaration in calls, control flow and comments', () => {
    for (const line of ['if (ready) {', 'foo(bar);', 'return compute(x) {', '// function commented()', 'app.get("/", handler);', 'x'.repeat(500) + ' function f() {'])
      assert.deepEqual(declaredNames(line), [], line);
  });

  it('inside a body, counts a local only when it holds code', () => {
    assert.deepEqual(declaredNames('  const total = 0;', true), []);
    assert.deepEqual(declaredNames('  const next = (err) => {', true), ['next']);
    assert.deepEqual(declaredNames('const total = 0;'), ['total']);
  });
});
