/**
 * Stripe's documented test card numbers and what each does: most succeed,
 * some are declined when they are entered (Checkout shows the decline message),
 * one is accepted and then declined when charged.
 */
export interface TestCard {
  brand: 'visa' | 'mastercard' | 'amex';
  funding: 'credit' | 'debit';
  /** Refused when entered: Stripe's code, decline code and message. */
  refusal?: { code: string; declineCode: string; message: string };
  /** Attached fine, declined on every charge. */
  declinesCharges?: boolean;
}

const DECLINED = { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' };

const CARDS: Record<string, TestCard> = {
  '4242424242424242': { brand: 'visa', funding: 'credit' },
  '4000056655665556': { brand: 'visa', funding: 'debit' },
  '5555555555554444': { brand: 'mastercard', funding: 'credit' },
  '378282246310005': { brand: 'amex', funding: 'credit' },
  '4000000000000002': { brand: 'visa', funding: 'credit', refusal: DECLINED },
  '4000000000009995': { brand: 'visa', funding: 'credit', refusal: { code: 'card_declined', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' } },
  '4000000000009987': { brand: 'visa', funding: 'credit', refusal: { code: 'card_declined', declineCode: 'lost_card', message: 'Your card was declined.' } },
  '4000000000000069': { brand: 'visa', funding: 'credit', refusal: { code: 'expired_card', declineCode: 'expired_card', message: 'Your card has expired.' } },
  '4000000000000127': { brand: 'visa', funding: 'credit', refusal: { code: 'incorrect_cvc', declineCode: 'incorrect_cvc', message: "Your card's security code is incorrect." } },
  '4000000000000341': { brand: 'visa', funding: 'credit', declinesCharges: true },
};

/** The test card with this number (spaces allowed), or null: Stripe's test mode knows no other. */
export function testCard(number: string): TestCard | null {
  return CARDS[number.replace(/[\s-]/g, '')] ?? null;
}
