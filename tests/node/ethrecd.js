// Shared by the Node.js tests: start and stop the real ethrecd, make
// synthetic NHS numbers, and call unary methods as promises.
'use strict';

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');

const grpc = require('@grpc/grpc-js');

const REPO = path.resolve(__dirname, '..', '..');
const PROTO_DIR = path.join(REPO, 'proto');
const ETHRECD = path.resolve(process.env.ETHRECD || path.join(REPO, 'build', 'service', 'ethrecd'));
const CALL_DEADLINE_MS = 10_000;
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;

// A synthetic NHS number 999nnnnnnC with a valid modulus 11 check digit: the
// first nine digits are weighted 10..2, and the check digit is 11 minus the
// sum mod 11 (11 becomes 0; 10 is never valid, so that n is skipped).
function syntheticNhsNumber(n) {
  for (let k = n; k < n + 100; k++) {
    const digits = '999' + String(k % 1_000_000).padStart(6, '0');
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (10 - i);
    let check = 11 - (sum % 11);
    if (check === 11) check = 0;
    if (check === 10) continue;
    return digits + String(check);
  }
  throw new Error('no valid check digit near ' + n);
}

// Starts ethrecd (`binary`, by default $ETHRECD or the build's) on
// 127.0.0.1:0 with `extraArgs` and resolves with
// { child, port, httpPort } once it prints "ethrecd: listening on
// 127.0.0.1:PORT with N code systems" (and, given --http_listen,
// "ethrecd: http on 127.0.0.1:PORT").
function startServer(dbPath, extraArgs = [], binary = ETHRECD) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['--listen=127.0.0.1:0', `--db=${dbPath}`, ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const fail = (message) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      reject(new Error(`${message}\nethrecd: ${binary}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`ethrecd did not report listening within ${START_TIMEOUT_MS} ms`),
                             START_TIMEOUT_MS);
    // Keep draining both pipes for the server's whole life so it never blocks on a full pipe.
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      if (stdout.length < 65536) stdout += chunk;
      const m = /ethrecd: listening on 127\.0\.0\.1:(\d+) with (\d+) code systems/.exec(stdout);
      // With --http_listen, also wait for "ethrecd: http on 127.0.0.1:PORT".
      const http = /ethrecd: http on 127\.0\.0\.1:(\d+)/.exec(stdout);
      const wantsHttp = extraArgs.some((a) => a.startsWith('--http_listen'));
      if (m && (http || !wantsHttp) && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), httpPort: http ? Number(http[1]) : undefined,
                  codeSystems: Number(m[2]), stderr: () => stderr });
      }
    });
    child.stderr.on('data', (chunk) => {
      if (stderr.length < 65536) stderr += chunk;
    });
    child.on('error', (err) => fail(`could not start ethrecd: ${err.message}`));
    child.on('exit', (code, signal) => fail(`ethrecd exited early (code ${code}, signal ${signal})`));
  });
}

// Resolves with { code, signal } when `child` exits, or rejects after `ms`.
function waitForExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ethrecd did not exit within ${ms} ms`)), ms);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

// A unary call as a promise, with a 10 s deadline. Rejects with the grpc-js
// ServiceError (code, details, metadata = trailers).
function unary(client, method, request, metadata) {
  return new Promise((resolve, reject) => {
    client[method](request, metadata || new grpc.Metadata(), { deadline: Date.now() + CALL_DEADLINE_MS }, (err, response) => {
      if (err) reject(err);
      else resolve(response);
    });
  });
}

// Calls and expects a failure; resolves with the ServiceError.
async function unaryError(client, method, request, metadata) {
  try {
    await unary(client, method, request, metadata);
  } catch (err) {
    return err;
  }
  assert.fail(`${method} succeeded but an error was expected`);
}

module.exports = {
  REPO, PROTO_DIR, ETHRECD, CALL_DEADLINE_MS, START_TIMEOUT_MS, STOP_TIMEOUT_MS,
  syntheticNhsNumber, startServer, waitForExit, unary, unaryError,
};
