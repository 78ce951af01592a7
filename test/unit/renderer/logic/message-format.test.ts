import { describe, expect, it } from 'vitest';
import { latency, messagePathText, pathText } from '../../../../src-renderer/lib/logic/message-format';

describe('latency', () => {
  it('reads as a person reads it, the first event of a message as 0 ms', () => {
    expect(latency(0)).toBe('0 ms');
    expect(latency(0.3)).toBe('0.3 ms');
    expect(latency(0.96)).toBe('1 ms');
    expect(latency(2)).toBe('2 ms');
    expect(latency(201.4)).toBe('201 ms');
    expect(latency(999.7)).toBe('1.0 s');
    expect(latency(1_500)).toBe('1.5 s');
  });

  it('writes a path with each step after the first', () => {
    const step = (label: string, deltaMs: number) => ({ label, deltaMs }) as never;
    expect(pathText([step('GS', 0), step('NS', 9), step('AS', 201)])).toBe('GS → NS +9 ms → AS +201 ms');
  });

  it('says how a message came: via Packet Broker, or simulated in the Console and never on the air', () => {
    const path = [{ label: 'AS', deltaMs: 0 }] as never;
    expect(messagePathText({ path, packetBroker: false })).toBe('AS');
    expect(messagePathText({ path, packetBroker: true })).toBe('AS · via Packet Broker');
    expect(messagePathText({ path, packetBroker: false, simulated: true })).toBe(
      'AS · simulated in the Console, not radio traffic',
    );
  });
});
