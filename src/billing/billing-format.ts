/** Money and dates as the billing pages show them, in the person's language. */
export interface BillingFormat {
  money(minor: number, currency: string): string;
  day(seconds: number | null): string;
}

export function billingFormat(language: string): BillingFormat {
  const days = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeZone: 'UTC' });
  return {
    money: (minor, currency) => new Intl.NumberFormat(language, { style: 'currency', currency: currency.toUpperCase() }).format(minor / 100),
    day: (seconds) => (seconds === null ? '–' : days.format(new Date(seconds * 1000))),
  };
}
