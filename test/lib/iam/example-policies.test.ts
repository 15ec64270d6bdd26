import { EXAMPLE_CONFIG_FILE } from '../../helpers/example-stacks';
import { describeDeploymentPolicies } from './policies';

describeDeploymentPolicies('the example config\'s policies, evaluated as AWS evaluates them', EXAMPLE_CONFIG_FILE);
