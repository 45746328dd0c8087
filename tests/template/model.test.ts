/**
 * The template model: the only code that reads and writes template JSON. It works on its own
 * copy, keeps key order, never drops unknown keys, indexes resources by type, and keeps a
 * dependency graph that follows every write.
 */
import { deepClone, setOwn, type Json, type JsonObject } from '../../macro/template/json';
import { danglingReferences, TemplateModel } from '../../macro/template/model';

/** A small template: a bucket, its policy and a trail that needs the policy first. */
function trailTemplate(): JsonObject {
  return {
    Parameters: { Env: { Type: 'String' } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
    Resources: {
      Logs: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Sub': '${AWS::StackName}-logs' } } },
      LogsPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Logs' }, PolicyDocument: { Statement: [] } } },
      Trail: {
        Type: 'AWS::CloudTrail::Trail',
        Condition: 'IsProd',
        DependsOn: 'LogsPolicy',
        Metadata: { Note: { Ref: 'Unrelated' } },
        Properties: { S3BucketName: { Ref: 'Logs' }, IsLogging: true, Tags: [{ Key: 'env', Value: { Ref: 'Env' } }] },
      },
      Archive: { Type: 'AWS::S3::Bucket' },
    },
  };
}

describe('TemplateModel: a copy of the input', () => {
  test('never mutates the input: writes and new resources go to the model own copy', () => {
    // Prepare
    const input = trailTemplate();
    const pristine = deepClone(input);
    const model = new TemplateModel(input);

    // Act
    model.set('Trail', ['Properties', 'IsLogging'], false);
    model.set('Logs', ['Properties', 'VersioningConfiguration', 'Status'], 'Enabled');
    model.set('Trail', ['Properties', 'Tags', 0, 'Value'], 'prod');
    model.addResource('Extra', { Type: 'AWS::SNS::Topic' });

    // Assess
    expect(input).toStrictEqual(pristine);
    expect(model.resource('Trail')).not.toBe((input.Resources as JsonObject).Trail);
  });

  test('reads back the input unchanged, keys in their order', () => {
    // Prepare
    const input = trailTemplate();

    // Act
    const model = new TemplateModel(input);

    // Assess
    expect(model.doc).toStrictEqual(input);
    expect(Object.keys(model.resource('Trail') as JsonObject)).toStrictEqual(['Type', 'Condition', 'DependsOn', 'Metadata', 'Properties']);
  });
  test('copy: false reads the template in place, and still finds an Fn::Transform in it', () => {
    // Prepare
    const input = trailTemplate();
    setOwn(input, 'Outputs', { Name: { Value: { 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://b/k' } } } } });

    // Act
    const model = new TemplateModel(input, {}, { copy: false });
    const copied = new TemplateModel(trailTemplate());

    // Assess
    expect(model.doc).toBe(input);
    expect(model.type('Trail')).toBe('AWS::CloudTrail::Trail');
    expect(model.mentionsTransform).toBe(true);
    expect(copied.mentionsTransform).toBe(false);
  });
});

describe('TemplateModel: reading', () => {
  test('gets a value at a path of keys and list indexes, and undefined past the end', () => {
    // Prepare
    const model = new TemplateModel(trailTemplate());

    // Act & Assess
    expect(model.get('Trail', ['Properties', 'Tags', 0, 'Key'])).toBe('env');
    expect(model.get('Trail', ['Properties', 'Tags', 1, 'Key'])).toBeUndefined();
    expect(model.get('Trail', ['Properties', 'Missing', 'Deeper'])).toBeUndefined();
    expect(model.get('Missing', ['Properties'])).toBeUndefined();
    expect(model.get('Trail', [])).toBe(model.resource('Trail'));
  });

  test('never reads through the prototype chain', () => {
    // Prepare
    const model = new TemplateModel(trailTemplate());

    // Act & Assess
    expect(model.get('Trail', ['Properties', 'constructor'])).toBeUndefined();
    expect(model.get('Trail', ['Properties', 'toString'])).toBeUndefined();
    expect(model.isResource('constructor')).toBe(false);
    expect(model.resource('hasOwnProperty')).toBeUndefined();
    expect(model.isParameter('toString')).toBe(false);
    expect(model.parameterValue('toString')).toBeUndefined();
  });

  test('gives type, condition and DependsOn as a list, whatever its form', () => {
    // Prepare
    const model = new TemplateModel({
      Resources: {
        One: { Type: 'AWS::SNS::Topic', DependsOn: 'Two' },
        Two: { Type: 'AWS::SNS::Topic', Condition: 'IsProd', DependsOn: ['One', 'Three'] },
        Three: { Type: 'AWS::SNS::Topic' },
      },
    });

    // Act & Assess
    expect([model.type('One'), model.type('Missing')]).toStrictEqual(['AWS::SNS::Topic', undefined]);
    expect([model.condition('One'), model.condition('Two')]).toStrictEqual([undefined, 'IsProd']);
    expect([model.dependsOn('One'), model.dependsOn('Two'), model.dependsOn('Three')]).toStrictEqual([['Two'], ['One', 'Three'], []]);
  });

  test('knows parameters, and the deploy value of those it was given', () => {
    // Prepare
    const model = new TemplateModel({ Parameters: { Env: { Type: 'String' }, Name: { Type: 'String' } }, Resources: {} }, { Env: 'prod' });

    // Act & Assess
    expect([model.isParameter('Env'), model.isParameter('Name'), model.isParameter('Other')]).toStrictEqual([true, true, false]);
    expect([model.parameterValue('Env'), model.parameterValue('Name')]).toStrictEqual(['prod', undefined]);
  });

  test('a template without Resources has no resources', () => {
    // Prepare
    const model = new TemplateModel({ Conditions: {} });

    // Act & Assess
    expect(model.resources).toStrictEqual({});
    expect(model.ids()).toStrictEqual([]);
  });
});

describe('TemplateModel: set', () => {
  test('creates the objects on the way to the value', () => {
    // Prepare
    const model = new TemplateModel({ Resources: { Archive: { Type: 'AWS::S3::Bucket' } } });

    // Act
    model.set('Archive', ['Properties', 'LoggingConfiguration', 'DestinationBucketName'], 'logs');

    // Assess
    expect(model.resource('Archive')).toStrictEqual({
      Type: 'AWS::S3::Bucket',
      Properties: { LoggingConfiguration: { DestinationBucketName: 'logs' } },
    });
  });

  test('keeps the order of existing keys, and appends a new one', () => {
    // Prepare
    const model = new TemplateModel(trailTemplate());

    // Act
    model.set('Trail', ['Properties', 'IsLogging'], false);
    model.set('Trail', ['Properties', 'EnableLogFileValidation'], true);

    // Assess
    expect(Object.keys(model.get('Trail', ['Properties']) as JsonObject)).toStrictEqual(['S3BucketName', 'IsLogging', 'Tags', 'EnableLogFileValidation']);
    expect(model.get('Trail', ['Properties', 'IsLogging'])).toBe(false);
  });

  test('writes into a list element by index', () => {
    // Prepare
    const model = new TemplateModel(trailTemplate());

    // Act
    model.set('Trail', ['Properties', 'Tags', 0, 'Value'], 'prod');

    // Assess
    expect(model.get('Trail', ['Properties', 'Tags'])).toStrictEqual([{ Key: 'env', Value: 'prod' }]);
  });

  test('may replace an intrinsic value as a whole', () => {
    // Prepare
    const model = new TemplateModel(trailTemplate());

    // Act
    model.set('Logs', ['Properties', 'BucketName'], 'fixed-name');

    // Assess
    expect(model.get('Logs', ['Properties', 'BucketName'])).toBe('fixed-name');
  });

  test.each<[string, Json, (string | number)[], string]>([
    ['an intrinsic object', { 'Fn::If': ['IsProd', { Status: 'Enabled' }, { Ref: 'AWS::NoValue' }] }, ['Properties', 'Config', 'Status'], 'cannot write under Res at Config'],
    ['a Ref', { Ref: 'ConfigParam' }, ['Properties', 'Config', 'Status'], 'cannot write under Res at Config'],
    ['a string', 'literal', ['Properties', 'Config', 'Status'], 'cannot write under Res at Config'],
    ['a list, by key', [{ Status: 'x' }], ['Properties', 'Config', 'Status'], 'cannot write under Res: not an object'],
    ['an object, by index', { Status: 'x' }, ['Properties', 'Config', 0], 'cannot write under Res: not a list'],
    ['an intrinsic list element', [{ 'Fn::If': ['IsProd', { Status: 'x' }, { Ref: 'AWS::NoValue' }] }], ['Properties', 'Config', 0, 'Status'], 'cannot write under Res at 0'],
    ['a string list element', ['literal'], ['Properties', 'Config', 0, 'Status'], 'cannot write under Res at 0'],
  ])('refuses to write through %s, and leaves it as it was', (_name, config, path, message) => {
    // Prepare
    const model = new TemplateModel({ Resources: { Res: { Type: 'AWS::Test::Thing', Properties: { Config: config } } } });
    const before = deepClone(model.doc);

    // Act & Assess
    expect(() => model.set('Res', path, 'Enabled')).toThrow(new Error(message));
    expect(model.doc).toStrictEqual(before);
  });

  test('refuses a missing resource and an empty path', () => {
    // Prepare
    const model = new TemplateModel(trailTemplate());
    const before = deepClone(model.doc);

    // Act & Assess
    expect(() => model.set('Missing', ['Properties', 'X'], 1)).toThrow(new Error('no resource Missing'));
    expect(() => model.set('Trail', [], 1)).toThrow(new Error('cannot write under Trail: empty path'));
    expect(model.doc).toStrictEqual(before);
  });
});

describe('TemplateModel: resources by type', () => {
  test('idsOfType lists ids in template order, then the added resources in the order added', () => {
    // Prepare
    const model = new TemplateModel(trailTemplate());

    // Act
    model.addResource('Replica', { Type: 'AWS::S3::Bucket' });
    model.addResource('Alerts', { Type: 'AWS::SNS::Topic' });

    // Assess
    expect(model.idsOfType('AWS::S3::Bucket')).toStrictEqual(['Logs', 'Archive', 'Replica']);
    expect(model.idsOfType('AWS::S3::Bucket', 'AWS::SNS::Topic')).toStrictEqual(['Logs', 'Archive', 'Replica', 'Alerts']);
    expect(model.idsOfType('AWS::SQS::Queue')).toStrictEqual([]);
    expect(model.ids()).toStrictEqual(['Logs', 'LogsPolicy', 'Trail', 'Archive', 'Replica', 'Alerts']);
  });

  test('addResource creates Resources when there is none, and refuses an id in use', () => {
    // Prepare
    const model = new TemplateModel({ Description: 'empty' });

    // Act
    model.addResource('Alerts', { Type: 'AWS::SNS::Topic' });

    // Assess
    expect(model.doc).toStrictEqual({ Description: 'empty', Resources: { Alerts: { Type: 'AWS::SNS::Topic' } } });
    expect(() => model.addResource('Alerts', { Type: 'AWS::SQS::Queue' })).toThrow(new Error('resource Alerts already exists'));
    expect(model.idsOfType('AWS::SNS::Topic')).toStrictEqual(['Alerts']);
  });

  test('Fn::ForEach loops are kept in Resources but are not resources', () => {
    // Prepare
    const loop: Json = ['Name', ['A', 'B'], { 'Topic${Name}': { Type: 'AWS::SNS::Topic' } }];
    const model = new TemplateModel({ Resources: { 'Fn::ForEach::Topics': loop, Alerts: { Type: 'AWS::SNS::Topic' } } });

    // Act & Assess
    expect(model.ids()).toStrictEqual(['Alerts']);
    expect(model.idsOfType('AWS::SNS::Topic')).toStrictEqual(['Alerts']);
    expect(model.isResource('Fn::ForEach::Topics')).toBe(false);
    expect(model.resources['Fn::ForEach::Topics']).toStrictEqual(loop);
  });
});

describe('TemplateModel: dependency edges', () => {
  test('edges follow DependsOn, Ref, GetAtt and Sub to resources, not to parameters, pseudo parameters, Metadata or itself', () => {
    // Prepare
    const model = new TemplateModel({
      Parameters: { Env: { Type: 'String' } },
      Resources: {
        Fn: {
          Type: 'AWS::Lambda::Function',
          DependsOn: 'Policy',
          Metadata: { Docs: { Ref: 'Docs' } },
          Properties: {
            Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
            Environment: { Variables: { TABLE: { Ref: 'Table' }, ENV: { Ref: 'Env' }, REGION: { Ref: 'AWS::Region' } } },
            Description: { 'Fn::Sub': '${Queue.Arn} of ${Fn}' },
          },
        },
        Policy: { Type: 'AWS::IAM::Policy' },
        Role: { Type: 'AWS::IAM::Role' },
        Table: { Type: 'AWS::DynamoDB::Table' },
        Queue: { Type: 'AWS::SQS::Queue' },
        Docs: { Type: 'AWS::S3::Bucket' },
      },
    });

    // Act
    const edges = [...model.edges('Fn')];

    // Assess
    expect(edges).toStrictEqual(['Policy', 'Role', 'Table', 'Queue']);
  });

  test('reaches follows edges transitively, in one direction only', () => {
    // Prepare
    const model = new TemplateModel(trailTemplate());

    // Act & Assess
    expect(model.reaches('Trail', 'Logs')).toBe(true); // directly, and through LogsPolicy
    expect(model.reaches('LogsPolicy', 'Logs')).toBe(true);
    expect(model.reaches('Logs', 'Trail')).toBe(false);
    expect(model.reaches('Archive', 'Logs')).toBe(false);
  });

  test('edges and reaches follow a write made with set', () => {
    // Prepare
    const model = new TemplateModel(trailTemplate());
    const edgesBefore = [...model.edges('Archive')];
    const reachedBefore = model.reaches('Archive', 'Logs');

    // Act
    model.set('Archive', ['Properties', 'LoggingConfiguration', 'DestinationBucketName'], { Ref: 'Logs' });

    // Assess
    expect([edgesBefore, reachedBefore]).toStrictEqual([[], false]);
    expect([...model.edges('Archive')]).toStrictEqual(['Logs']);
    expect(model.reaches('Archive', 'Logs')).toBe(true);
  });

  test('edges follow a resource added under a name another resource already refers to', () => {
    // Prepare
    const model = new TemplateModel({ Resources: { Trail: { Type: 'AWS::CloudTrail::Trail', Properties: { S3BucketName: { Ref: 'TrailLogs' } } } } });
    const edgesBefore = [...model.edges('Trail')];

    // Act
    model.addResource('TrailLogs', { Type: 'AWS::S3::Bucket' });

    // Assess
    expect(edgesBefore).toStrictEqual([]);
    expect([...model.edges('Trail')]).toStrictEqual(['TrailLogs']);
    expect(model.reaches('Trail', 'TrailLogs')).toBe(true);
  });

  test('touched marks edges stale after a write that bypassed set', () => {
    // Prepare
    const model = new TemplateModel(trailTemplate());
    model.edges('Archive'); // cached: no edges
    (model.resource('Archive') as JsonObject).DependsOn = 'Logs';

    // Act
    model.touched('Archive');

    // Assess
    expect([...model.edges('Archive')]).toStrictEqual(['Logs']);
  });
});

describe('TemplateModel: conditionImplies', () => {
  const model = new TemplateModel({
    Conditions: {
      IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
      InEu: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
      ProdInEu: { 'Fn::And': [{ Condition: 'IsProd' }, { Condition: 'InEu' }] },
      Nested: { 'Fn::And': [{ 'Fn::And': [{ Condition: 'ProdInEu' }, { 'Fn::Equals': ['a', 'a'] }] }, { Condition: 'Other' }] },
      ProdOrEu: { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'InEu' }] },
      LoopA: { 'Fn::And': [{ Condition: 'LoopB' }, { Condition: 'IsProd' }] },
      LoopB: { 'Fn::And': [{ Condition: 'LoopA' }, { Condition: 'IsProd' }] },
    },
    Resources: {},
  });

  test.each<[string, string | undefined, string | undefined, boolean]>([
    ['anything implies no condition', undefined, undefined, true],
    ['a condition implies no condition', 'IsProd', undefined, true],
    ['a condition implies itself', 'IsProd', 'IsProd', true],
    ['no condition does not imply a condition', undefined, 'IsProd', false],
    ['another condition does not imply it', 'InEu', 'IsProd', false],
    ['an Fn::And implies each of its terms', 'ProdInEu', 'InEu', true],
    ['an Fn::And implies terms of a nested And, through named conditions', 'Nested', 'IsProd', true],
    ['an Fn::And term does not imply the And', 'IsProd', 'ProdInEu', false],
    ['an Fn::Or does not imply its terms', 'ProdOrEu', 'IsProd', false],
    ['conditions that refer to each other end the search', 'LoopA', 'InEu', false],
    ['conditions that refer to each other still imply a common term', 'LoopA', 'IsProd', true],
  ])('%s', (_name, a, b, expected) => {
    expect(model.conditionImplies(a, b)).toBe(expected);
  });
});

describe('TemplateModel: __proto__ and the prototype chain', () => {
  afterEach(() => {
    // Assess (every test): nothing reached Object.prototype.
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('Polluted');
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('Injected');
    expect(({} as Record<string, unknown>).Polluted).toBeUndefined();
  });

  test('a "__proto__" key parsed from JSON stays an own property of the model copy', () => {
    // Prepare
    const input = JSON.parse('{"Resources":{"Res":{"Type":"AWS::Test::Thing","Properties":{"__proto__":{"Polluted":true}}}}}') as JsonObject;

    // Act
    const model = new TemplateModel(input);
    const properties = model.get('Res', ['Properties']) as JsonObject;

    // Assess
    expect(Object.keys(properties)).toStrictEqual(['__proto__']);
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
    expect(model.get('Res', ['Properties', '__proto__', 'Polluted'])).toBe(true);
    expect(model.doc).toStrictEqual(input);
  });

  test('set writes under an existing "__proto__" key, and creates a new one as an own property', () => {
    // Prepare
    const properties: JsonObject = {};
    setOwn(properties, '__proto__', { Polluted: true });
    const model = new TemplateModel({ Resources: { Res: { Type: 'AWS::Test::Thing', Properties: properties } } });

    // Act
    model.set('Res', ['Properties', '__proto__', 'Injected'], 1);
    model.set('Res', ['Metadata', '__proto__', 'Injected'], 2);

    // Assess
    const metadata = model.get('Res', ['Metadata']) as JsonObject;
    expect(Object.keys(metadata)).toStrictEqual(['__proto__']);
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(model.get('Res', ['Properties', '__proto__'])).toStrictEqual({ Polluted: true, Injected: 1 });
    expect(model.get('Res', ['Metadata', '__proto__', 'Injected'])).toBe(2);
  });

  test('a "__proto__" logical id is neither read from the prototype nor written to it', () => {
    // Prepare
    const input = JSON.parse('{"Resources":{"Real":{"Type":"AWS::SNS::Topic"}}}') as JsonObject;
    const model = new TemplateModel(input);

    // Act
    model.addResource('__proto__', { Type: 'AWS::SNS::Topic', Properties: { Polluted: true } });

    // Assess
    expect(model.ids()).toStrictEqual(['Real', '__proto__']);
    expect(model.type('__proto__')).toBe('AWS::SNS::Topic');
    expect(Object.getPrototypeOf(model.resources)).toBe(Object.prototype);
  });
});

describe('danglingReferences', () => {
  test('lists names that are neither resources, parameters nor pseudo parameters', () => {
    // Prepare
    const model = new TemplateModel({ Parameters: { Env: { Type: 'String' } }, Resources: { Logs: { Type: 'AWS::S3::Bucket' } } });
    const value: Json = {
      A: { Ref: 'Logs' },
      B: { Ref: 'Env' },
      C: { 'Fn::Sub': '${AWS::Region}-${Env}-${Logs.Arn}' },
      D: { Ref: 'Missing' },
      E: { 'Fn::GetAtt': ['Gone', 'Arn'] },
    };

    // Act
    const dangling = danglingReferences(model, value);

    // Assess
    expect(dangling).toStrictEqual(['Missing', 'Gone.Arn']);
  });

  test('a parameter named with an attribute, by GetAtt or in a Sub, is dangling', () => {
    // Prepare
    const model = new TemplateModel({ Parameters: { Env: { Type: 'String' } }, Resources: {} });

    // Act
    const dangling = danglingReferences(model, [{ 'Fn::GetAtt': ['Env', 'Arn'] }, { 'Fn::Sub': '${Env.Arn}' }]);

    // Assess
    expect(dangling).toStrictEqual(['Env.Arn', 'Env.Arn']);
  });
});
