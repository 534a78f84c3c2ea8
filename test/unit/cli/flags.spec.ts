import assert from 'node:assert/strict'
import { checkFlagsFit, commandOf, parseError, unknownCommand } from '../../../src/cli/flags.js'

/** What node's parseArgs throws for an option it does not know. */
function unknownOptionError (raw: string): Error & { code: string } {
  return Object.assign(new Error(`Unknown option '${raw}'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- "${raw}"`), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' })
}

describe('cli/flags', () => {
  it('an unknown option gets the command and the flag meant, in the CLI\'s words', () => {
    const err = parseError(unknownOptionError('--timout'), 'get')
    assert.equal(err.name, 'UsageError')
    assert.equal(err.message, 'unknown option --timout for "get": did you mean --timeout?')
  })

  it('an unknown option with nothing close gets no suggestion, and none of node\'s parser text', () => {
    const err = parseError(unknownOptionError('--foo'), 'get')
    assert.equal(err.message, 'unknown option --foo for "get"')
    assert.doesNotMatch(err.message, /positional|'--'/)
  })

  it('suggestions come from the command\'s own flags; without a command, from all', () => {
    assert.equal(parseError(unknownOptionError('--jsn'), 'status').message, 'unknown option --jsn for "status": did you mean --json?')
    assert.equal(parseError(unknownOptionError('--outpt'), undefined).message, 'unknown option --outpt: did you mean --output?')
    assert.equal(parseError(unknownOptionError('--jsn=1'), 'status').message, 'unknown option --jsn=1 for "status": did you mean --json?')
  })

  it('a missing or unwanted value is said in the CLI\'s words', () => {
    const invalid = (message: string): Error => Object.assign(new Error(message), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' })
    assert.equal(parseError(invalid("Option '--timeout <value>' argument missing"), 'get').message, '--timeout needs a value')
    assert.equal(parseError(invalid("Option '--json' does not take an argument"), 'status').message, '--json takes no value')
  })

  it('other parser refusals keep their text', () => {
    const err = parseError(Object.assign(new Error('Unexpected argument \'x\''), { code: 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' }), 'get')
    assert.equal(err.message, 'Unexpected argument \'x\'')
  })

  it('a misspelled command gets the command meant', () => {
    assert.equal(unknownCommand('stauts').message, 'unknown command "stauts": did you mean status?')
    assert.equal(unknownCommand('sotp').message, 'unknown command "sotp": did you mean stop?')
    assert.equal(unknownCommand('frobnicate').message, 'unknown command "frobnicate"')
  })

  it('the command is the first word that is one', () => {
    assert.equal(commandOf(['3s', 'get', 'bafy']), 'get')
    assert.equal(commandOf(['stauts']), 'stauts')
    assert.equal(commandOf([]), undefined)
  })

  it('a flag of another command is refused; global flags and flags no command lists pass', () => {
    assert.throws(() => { checkFlagsFit('add', [{ name: 'timeout', rawName: '--timeout' }]) }, { name: 'UsageError', message: '--timeout is not an option of "add" (it is one of "get")' })
    assert.throws(() => { checkFlagsFit('status', [{ name: 'output', rawName: '-o' }]) }, /-o is not an option of "status" \(it is one of "get", "swarm-key"\)/)
    checkFlagsFit('add', [{ name: 'config', rawName: '--config' }, { name: 'follow-symlinks', rawName: '--follow-symlinks' }])
    checkFlagsFit('start', [{ name: 'some-new-flag', rawName: '--some-new-flag' }])
    checkFlagsFit('some-new-command', [{ name: 'timeout', rawName: '--timeout' }])
    checkFlagsFit(undefined, [{ name: 'timeout', rawName: '--timeout' }])
  })
})
