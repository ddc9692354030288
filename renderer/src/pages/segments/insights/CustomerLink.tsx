import type { CustomerRef } from '../../../../../core/api/schemas/segmentInsights.ts';
import { routeHref } from '../../../shell/route.ts';

/** How a customer is named in the insights: as the 360 profile heads them (name, else email, else id). */
export function customerName(customer: CustomerRef): string {
  const name = [customer.firstName, customer.lastName].filter(Boolean).join(' ');
  return name || customer.email || customer.customerId;
}

/** A customer as a link to their 360 profile (`#/customers/<id>`). */
export function CustomerLink({ customer }: { customer: CustomerRef }) {
  const name = customerName(customer);
  return (
    <a href={routeHref({ page: 'customers', customerId: customer.customerId })} translate="no">
      {name}
      {name !== customer.customerId ? <span className="insights__id"> · {customer.customerId}</span> : null}
    </a>
  );
}
