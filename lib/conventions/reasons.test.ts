import { CREDENTIALS_REASON_ANNOTATION, INTERNET_REASON_ANNOTATION, formatReasons, podsSubject, reasonFor } from '.';

describe('the reason annotations: written by formatReasons, read by reasonFor', () => {
  const text = formatReasons([
    { about: ['0.0.0.0/0'], why: 'calls a public model API' },
    { about: ['169.254.170.23/32', 'fd00:ec2::23/128'], why: 'reads weights from S3: the model bucket' },
    { about: [podsSubject('vector-db', { app: 'qdrant', tier: 'db' })], why: 'the vector store' },
  ]);

  it('writes a line per destination: what it is about, ": ", and why', () => {
    expect(text).toBe(
      [
        '0.0.0.0/0: calls a public model API',
        '169.254.170.23/32, fd00:ec2::23/128: reads weights from S3: the model bucket',
        'pods vector-db {app=qdrant,tier=db}: the vector store',
      ].join('\n'),
    );
  });

  it('reads back the reason of each subject, IPv6 blocks and a reason holding ": " included', () => {
    const annotations = { [INTERNET_REASON_ANNOTATION]: text };
    expect(reasonFor(annotations, INTERNET_REASON_ANNOTATION, '0.0.0.0/0')).toBe('calls a public model API');
    expect(reasonFor(annotations, INTERNET_REASON_ANNOTATION, 'fd00:ec2::23/128')).toBe('reads weights from S3: the model bucket');
    expect(reasonFor(annotations, INTERNET_REASON_ANNOTATION, 'pods vector-db {app=qdrant,tier=db}')).toBe('the vector store');
  });

  it('answers a subject the annotation names, never one its text merely contains', () => {
    const annotations = { [INTERNET_REASON_ANNOTATION]: '10.0.0.0/8: the office network' };
    expect(reasonFor(annotations, INTERNET_REASON_ANNOTATION, '0.0.0.0/8')).toBeUndefined();
    expect(reasonFor(annotations, INTERNET_REASON_ANNOTATION, 'the office network')).toBeUndefined();
    expect(reasonFor(annotations, CREDENTIALS_REASON_ANNOTATION, '10.0.0.0/8')).toBeUndefined();
    expect(reasonFor(undefined, INTERNET_REASON_ANNOTATION, '10.0.0.0/8')).toBeUndefined();
    expect(reasonFor({ [INTERNET_REASON_ANNOTATION]: 42 }, INTERNET_REASON_ANNOTATION, '10.0.0.0/8')).toBeUndefined();
  });
});
