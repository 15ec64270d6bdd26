import { join } from 'node:path';
import { describeDeploymentPolicies } from './policies';

describeDeploymentPolicies('an adversarial config\'s policies, evaluated as AWS evaluates them', join(__dirname, '..', '..', 'fixtures', 'configs', 'adversarial.json'));
