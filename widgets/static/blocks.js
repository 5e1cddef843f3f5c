/* Storelift recommendation blocks: fill each <storelift-recs> slot, report impressions and clicks */
((w,d,N)=>{
let L=k=>{try{return localStorage["sl_"+k]}catch(e){}},B=()=>{},
run=()=>d.querySelectorAll("storelift-recs:not([data-done])").forEach(el=>{
el.dataset.done=1;
let a=el.dataset,P=a.x,V=w.storelift?._?.V||L("v"),q=new URLSearchParams({block:a.b,limit:a.n||4});
for(let[k,v]of[["product_id",a.p],["cart",(a.c||"").replace(/,$/,"")],["visitor_id",V],["title",a.h],["currency",a.m]])v&&q.set(k,v);
fetch(P+"/recommendations?"+q).then(r=>r.ok?r.text():"").then(h=>{
let R=h&&(el.shadowRoot||el.attachShadow({mode:"open"})),S;if(!R)return;R.innerHTML=h;S=R.querySelector("[data-rec]");if(!S)return;
let s=(t,o)=>V&&fetch(P+"/recommendations/"+t,{method:"POST",keepalive:!0,
body:JSON.stringify({v:V,r:S.dataset.rec,b:S.dataset.b,c:L("c"),g:N.globalPrivacyControl,w:N.webdriver,...o})}).catch(B);
new IntersectionObserver((e,o)=>{e.some(x=>x.isIntersecting)&&(o.disconnect(),
s("impression",{i:[...R.querySelectorAll("a[data-i]")].map(x=>x.dataset.i)}))}).observe(el);
R.addEventListener("click",e=>{let x=e.target.closest("a[data-i]");x&&s("click",{p:x.dataset.i,n:+x.dataset.n})})
}).catch(B)});
d.readyState=="complete"?run():(d.addEventListener("DOMContentLoaded",run),w.addEventListener("load",run))
})(window,document,navigator)
