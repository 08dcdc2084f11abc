/** The emulator's Stripe encoding and billing arithmetic, without a server. */
import { expect } from 'chai';
import { decodeStripeForm } from '../../../src/stripe-emulator/stripe-form.ts';
import { addInterval, prorationLines } from '../../../src/stripe-emulator/billing-cycle.ts';
import { StripeApiError } from '../../../src/stripe-emulator/stripe-errors.ts';

describe('Stripe emulator', () => {
  describe('decodeStripeForm', () => {
    it('reads bracketed keys as stripe-node writes them: nested objects, indexed and appended arrays', () => {
      const form = decodeStripeForm('customer=cus_1&items[0][price]=p&items[0][quantity]=2&items[1][id]=si_1&items[1][deleted]=true&expand[]=a&expand[]=b&metadata[k]=v');
      expect(form).to.deep.equal({ customer: 'cus_1', items: [{ price: 'p', quantity: '2' }, { id: 'si_1', deleted: 'true' }], expand: ['a', 'b'], metadata: { k: 'v' } });
    });

    it('keeps long arrays as arrays and refuses a malformed key', () => {
      const many = Array.from({ length: 30 }, (_, index) => `lookup_keys[${index}]=k${index}`).join('&');
      expect(decodeStripeForm(many).lookup_keys).to.have.length(30);
      expect(() => decodeStripeForm('items]0[=x')).to.throw(StripeApiError);
    });
  });

  describe('billing cycle', () => {
    it('adds calendar months, keeping the day or taking the last day of a shorter month', () => {
      const jan31 = Date.UTC(2027, 0, 31) / 1000;
      expect(new Date(addInterval(jan31, 'month') * 1000).toISOString().slice(0, 10)).to.equal('2027-02-28');
      expect(new Date(addInterval(Date.UTC(2028, 1, 29) / 1000, 'year') * 1000).toISOString().slice(0, 10)).to.equal('2029-02-28');
    });

    it('prorates to the second: unused time credited, remaining time charged, each line rounded', () => {
      const price = { id: 'price_x', object: 'price', unit_amount: 1000, nickname: 'X', currency: 'eur' };
      const period = { start: 0, end: 30 * 86_400 };
      const lines = prorationLines(price, 1, 2, 20 * 86_400, period, 'si_1');
      expect(lines.map((line) => line.amount)).to.deep.equal([-333, 667]);
      expect(lines.every((line) => line.proration)).to.equal(true);
      expect(prorationLines(price, 0, 3, 0, period, null).map((line) => line.amount)).to.deep.equal([3000]);
    });
  });
});
