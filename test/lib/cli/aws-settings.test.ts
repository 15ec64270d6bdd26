import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { checkAwsEnvironment } from '../../../lib/cli/aws-settings';
import { describeError, errorOutput } from '../../../lib/cli/errors';
import { describeAwsError } from '../../../lib/ops/aws-errors';
import { applyGlobalOptions } from '../../../lib/cli/runtime';

// AWS settings checked before the first call, and AWS answers named for their cause (issue 27, point 11).

describe('AWS settings in the environment are usage errors naming the variable', () => {
  test.each([
    [{ AWS_REGION: 'eu-west-1\n' }, 'InvalidRegion', 'AWS_REGION="eu-west-1\\n" is not an AWS region code (e.g. eu-west-1, us-east-1): set it to one without spaces or newlines, or pass --region'],
    [{ AWS_DEFAULT_REGION: 'Europe' }, 'InvalidRegion', 'AWS_DEFAULT_REGION="Europe" is not an AWS region code (e.g. eu-west-1, us-east-1): set it to one, or pass --region'],
    [{ AWS_ENDPOINT_URL: 'notaurl' }, 'InvalidEndpoint', 'AWS_ENDPOINT_URL="notaurl" is not an endpoint URL: set it to a URL with http:// or https:// and a host (e.g. http://localhost:4566), or unset it to use AWS'],
    [{ AWS_ENDPOINT_URL_SFN: 'ftp://example.com' }, 'InvalidEndpoint', 'AWS_ENDPOINT_URL_SFN="ftp://example.com" is not an endpoint URL'],
    [{ AWS_ENDPOINT_URL: 'http://\u001b[31mred' }, 'InvalidEndpoint', 'AWS_ENDPOINT_URL="http://\\u001b[31mred" is not an endpoint URL'],
  ])('%j: %s, exit 2, the value escaped', (env, name, message) => {
    let thrown: unknown;
    try {
      applyGlobalOptions({}, ['status'], { ...env });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ name, message: expect.stringContaining(message) });
    const report = describeError(thrown);
    expect(report.code).toBe(2);
    // eslint-disable-next-line no-control-regex
    expect(errorOutput(report, false).stderr).not.toMatch(/[\u0000-\u001f\u007f]/);
  });

  test.each([[{}], [{ AWS_REGION: 'us-gov-west-1', AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_ENDPOINT_URL_LAMBDA: 'https://lambda.example.com/', AWS_ENDPOINT_URL_SSM: '' }]])('%j passes', (env) => {
    expect(() => checkAwsEnvironment(env)).not.toThrow();
  });

  test('local runs call no AWS: an AWS setting is not checked for them', () => {
    expect(applyGlobalOptions({}, ['local', 'run'], { AWS_ENDPOINT_URL: 'notaurl' })).toBeUndefined();
  });
});

describe('an endpoint that answers HTML is UnexpectedResponse, not a SyntaxError about a hidden field', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Sign in to the network</body></html>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('the SDK call fails; the report names the cause and what to check', async () => {
    const sfn = new SFNClient({ endpoint: url, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    const error = await sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:sm:run' })).catch((e: unknown) => e);
    expect(describeAwsError(error, 'Step Functions DescribeExecution')).toEqual({
      name: 'UnexpectedResponse',
      message: 'the endpoint for Step Functions DescribeExecution answered something that is not an AWS response (HTTP 200): check AWS_ENDPOINT_URL and the proxy settings (a web page or a captive portal answered), then try again',
    });
  });
});
